use super::*;
use chrono::{Datelike, Timelike, Weekday};

fn ny() -> Tz {
    "America/New_York".parse().expect("zone")
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

fn weekly(days: &str) -> Schedule {
    Schedule::new(
        ny(),
        Some(&format!("FREQ=WEEKLY;BYDAY={days}")),
        NaiveTime::from_hms_opt(19, 0, 0).expect("time"),
        90,
        date("2026-01-01"),
        None,
    )
    .expect("valid")
}

#[test]
fn local_time_holds_across_daylight_saving_changes() {
    let s = weekly("TU");
    let starts = s.starts_between(utc("2026-03-01T00:00:00Z"), utc("2026-03-20T00:00:00Z"), 10);
    // 2026-03-08: clocks go forward in New York (EST -5 → EDT -4).
    assert_eq!(
        starts,
        vec![
            utc("2026-03-04T00:00:00Z"),
            utc("2026-03-10T23:00:00Z"),
            utc("2026-03-17T23:00:00Z")
        ]
    );
    for start in &starts {
        let local = s.local(*start);
        assert_eq!(
            (local.hour(), local.minute(), local.weekday()),
            (19, 0, Weekday::Tue)
        );
    }

    let autumn = s.starts_between(utc("2026-10-27T00:00:00Z"), utc("2026-11-06T00:00:00Z"), 10);
    // 2026-11-01: clocks go back.
    assert_eq!(
        autumn,
        vec![utc("2026-10-27T23:00:00Z"), utc("2026-11-04T00:00:00Z")]
    );
}

#[test]
fn monthly_by_ordinal_weekday() {
    let last_friday = Schedule::new(
        ny(),
        Some("FREQ=MONTHLY;BYDAY=-1FR"),
        NaiveTime::from_hms_opt(18, 30, 0).expect("time"),
        60,
        date("2026-01-01"),
        None,
    )
    .expect("valid");
    let days: Vec<NaiveDate> = last_friday
        .starts_between(utc("2026-01-01T00:00:00Z"), utc("2026-05-01T00:00:00Z"), 10)
        .iter()
        .map(|t| last_friday.local(*t).date_naive())
        .collect();
    assert_eq!(
        days,
        vec![
            date("2026-01-30"),
            date("2026-02-27"),
            date("2026-03-27"),
            date("2026-04-24")
        ]
    );

    let first_and_third = Schedule::new(
        ny(),
        Some("FREQ=MONTHLY;BYDAY=1TU,3TU"),
        NaiveTime::from_hms_opt(19, 0, 0).expect("time"),
        60,
        date("2026-01-01"),
        None,
    )
    .expect("valid");
    let days: Vec<NaiveDate> = first_and_third
        .starts_between(utc("2026-01-01T00:00:00Z"), utc("2026-03-01T00:00:00Z"), 10)
        .iter()
        .map(|t| first_and_third.local(*t).date_naive())
        .collect();
    assert_eq!(
        days,
        vec![
            date("2026-01-06"),
            date("2026-01-20"),
            date("2026-02-03"),
            date("2026-02-17")
        ]
    );
}

#[test]
fn one_off_and_end_dates() {
    let once = Schedule::new(
        ny(),
        None,
        NaiveTime::from_hms_opt(10, 0, 0).expect("t"),
        30,
        date("2026-06-01"),
        None,
    )
    .expect("valid");
    assert_eq!(
        once.starts_between(utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z"), 10),
        vec![utc("2026-06-01T14:00:00Z")]
    );
    let ending = Schedule::new(
        ny(),
        Some("FREQ=WEEKLY;BYDAY=MO"),
        NaiveTime::from_hms_opt(10, 0, 0).expect("t"),
        30,
        date("2026-06-01"),
        Some(date("2026-06-15")),
    )
    .expect("valid");
    assert_eq!(
        ending
            .starts_between(utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z"), 10)
            .len(),
        3
    );
}

#[test]
fn exceptions_cancel_and_move_occurrences() {
    let s = weekly("TU,TH");
    let from = utc("2026-03-01T00:00:00Z");
    let to = utc("2026-03-08T00:00:00Z");
    let originals = s.starts_between(from, to, 10);
    assert_eq!(originals.len(), 2);
    let moved_to = originals[1] + Duration::days(2);
    let exceptions = vec![
        Exception {
            original_start: originals[0],
            change: Change::Cancelled,
            note: "holiday".into(),
        },
        Exception {
            original_start: originals[1],
            change: Change::Rescheduled {
                start: moved_to,
                duration_minutes: 60,
            },
            note: "room change".into(),
        },
    ];
    let found = occurrences(&s, &exceptions, from, to + Duration::days(3), 10);
    assert_eq!(found[0].status, Status::Cancelled);
    assert_eq!(found[0].note.as_deref(), Some("holiday"));
    let moved = found
        .iter()
        .find(|o| o.status == Status::Rescheduled)
        .expect("moved");
    assert_eq!(
        (moved.start, moved.end),
        (moved_to, moved_to + Duration::minutes(60))
    );
    assert_eq!(moved.original_start, originals[1]);
    assert!(is_scheduled_start(&s, originals[1]));
    assert!(!is_scheduled_start(&s, originals[1] + Duration::minutes(1)));
}

#[test]
fn bad_schedules_name_their_field() {
    let t = NaiveTime::from_hms_opt(19, 0, 0).expect("t");
    let d = date("2026-01-01");
    let field = |r: Result<Schedule, ScheduleError>| r.expect_err("invalid").field;
    assert_eq!(
        field(Schedule::new(ny(), Some("FREQ=HOURLY"), t, 60, d, None)),
        "rrule"
    );
    assert_eq!(
        field(Schedule::new(ny(), Some("BYDAY=TU"), t, 60, d, None)),
        "rrule"
    );
    assert_eq!(
        field(Schedule::new(
            ny(),
            Some("FREQ=WEEKLY;BYDAY=XX"),
            t,
            60,
            d,
            None
        )),
        "rrule"
    );
    assert_eq!(
        field(Schedule::new(ny(), Some("FREQ=WEEKLY"), t, 0, d, None)),
        "durationMinutes"
    );
    assert_eq!(
        field(Schedule::new(
            ny(),
            Some("FREQ=WEEKLY"),
            t,
            60,
            d,
            Some(date("2025-01-01"))
        )),
        "endsOn"
    );
}

#[test]
fn schedules_are_bounded_to_one_start_a_day_and_a_sane_range_of_days() {
    let t = NaiveTime::from_hms_opt(19, 0, 0).expect("t");
    let d = date("2026-01-01");
    let refused = |rule: &str| Schedule::new(ny(), Some(rule), t, 60, d, None).is_err();
    for rule in [
        "FREQ=DAILY;BYHOUR=1,2,3,4,5,6,7,8,9,10;BYMINUTE=0,5,10,15,20,25,30,35,40,45,50,55",
        "FREQ=DAILY;BYSECOND=1",
        "FREQ=WEEKLY;BYWEEKNO=1",
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;COUNT=100000",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=MONTHLY;INTERVAL=500",
        "FREQ=DAILY;BYSETPOS=1",
        "FREQ=WEEKLY;FREQ=DAILY",
        "FREQ=WEEKLY;UNTIL=99991231T000000Z",
    ] {
        assert!(refused(rule), "{rule}");
    }
    for rule in [
        "FREQ=WEEKLY;BYDAY=TU;COUNT=10",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    ] {
        assert!(!refused(rule), "{rule}");
    }
    for first in ["1899-12-31", "2200-01-01"] {
        let error = Schedule::new(ny(), Some("FREQ=WEEKLY"), t, 60, date(first), None)
            .expect_err("out of range");
        assert_eq!(error.field, "startsOn");
    }
    let never = Schedule::new(
        ny(),
        Some("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31"),
        t,
        60,
        date("2026-02-01"),
        None,
    )
    .expect("a valid rule");
    assert_eq!(never.check_occurs().map_err(|e| e.field), Err("rrule"));
}

#[test]
fn an_old_schedule_expands_from_near_the_window() {
    // A daily meeting since 1900 iterates from the window, not from 1900: its rule has a
    // period (what keeps every expansion's cost independent of the first day).
    let old = Schedule::new(
        ny(),
        Some("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
        NaiveTime::from_hms_opt(19, 0, 0).expect("t"),
        60,
        date("1900-01-01"),
        None,
    )
    .expect("valid");
    assert!(old.period().is_some());
    let from = utc("2026-03-01T00:00:00Z");
    assert!(old.iteration_start(from) >= date("2026-01-01"));
    assert_eq!(
        old.starts_between(from, utc("2026-04-01T00:00:00Z"), 10),
        vec![utc("2026-03-31T23:00:00Z")]
    );
}

proptest::proptest! {
    /// Weekly schedules agree with a brute-force model: every local date in the window
    /// whose weekday is listed, at the local start time, in any of several time zones.
    #[test]
    fn weekly_schedules_match_a_day_by_day_model(
        zone in proptest::sample::select(vec!["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "America/Los_Angeles"]),
        days in proptest::sample::subsequence(vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun], 1..=7),
        hour in 5u32..23,
        minute in proptest::sample::select(vec![0u32, 15, 30, 45]),
        start_offset in 0i64..700,
        window_offset in 0i64..700,
    ) {
        let zone: Tz = zone.parse().expect("zone");
        let byday = days.iter().map(|d| match d {
            Weekday::Mon => "MO", Weekday::Tue => "TU", Weekday::Wed => "WE", Weekday::Thu => "TH",
            Weekday::Fri => "FR", Weekday::Sat => "SA", Weekday::Sun => "SU",
        }).collect::<Vec<_>>().join(",");
        let base = date("2025-01-01");
        let starts_on = base + Duration::days(start_offset);
        let time = NaiveTime::from_hms_opt(hour, minute, 0).expect("time");
        let schedule = Schedule::new(zone, Some(&format!("FREQ=WEEKLY;BYDAY={byday}")), time, 60, starts_on, None)
            .expect("valid");
        let from = (base + Duration::days(window_offset)).and_time(NaiveTime::MIN).and_utc();
        let to = from + Duration::days(60);
        let mut expected = Vec::new();
        let mut day = from.date_naive() - Duration::days(1);
        while day <= to.date_naive() + Duration::days(1) {
            if day >= starts_on && days.contains(&day.weekday())
                && let Some(local) = zone.from_local_datetime(&day.and_time(time)).earliest()
            {
                let instant = local.with_timezone(&Utc);
                if instant >= from && instant < to {
                    expected.push(instant);
                }
            }
            day += Duration::days(1);
        }
        proptest::prop_assert_eq!(schedule.starts_between(from, to, MAX_OCCURRENCES), expected);
    }
}

#[test]
fn a_first_day_whose_start_the_clocks_repeat_or_skip_is_still_a_schedule() {
    let at = |s: &str| s.parse::<DateTime<Utc>>().expect("instant");
    let two = NaiveTime::from_hms_opt(2, 0, 0).expect("time");
    // Sydney falls back on Sunday 4 April 2027: 02:00 happens twice; the first counts.
    let sydney = Schedule::new(
        "Australia/Sydney".parse().expect("zone"),
        Some("FREQ=WEEKLY;BYDAY=SU"),
        two,
        60,
        date("2027-04-04"),
        None,
    )
    .expect("a repeated local time is a valid start");
    assert_eq!(
        sydney.starts_between(at("2027-04-01T00:00:00Z"), at("2027-04-20T00:00:00Z"), 10),
        vec![
            at("2027-04-03T15:00:00Z"),
            at("2027-04-10T16:00:00Z"),
            at("2027-04-17T16:00:00Z")
        ]
    );
    // New York springs forward on Sunday 14 March 2027: 02:30 does not exist that day.
    let new_york = Schedule::new(
        "America/New_York".parse().expect("zone"),
        Some("FREQ=WEEKLY;BYDAY=SU"),
        NaiveTime::from_hms_opt(2, 30, 0).expect("time"),
        60,
        date("2027-03-14"),
        None,
    )
    .expect("a skipped local time on the first day is a valid start");
    let starts =
        new_york.starts_between(at("2027-03-01T00:00:00Z"), at("2027-03-29T00:00:00Z"), 10);
    assert!(
        starts.iter().all(|s| *s >= at("2027-03-14T05:00:00Z")),
        "{starts:?}"
    );
    assert!(
        starts.contains(&at("2027-03-21T06:30:00Z")),
        "02:30 EDT: {starts:?}"
    );
    assert!(starts.contains(&at("2027-03-28T06:30:00Z")), "{starts:?}");
}

proptest::proptest! {
    /// Iterating from a later day in phase gives exactly the occurrences that iterating from
    /// the first day gives, for daily, weekly and monthly rules with intervals.
    #[test]
    fn the_iteration_shortcut_changes_no_occurrence(
        zone in proptest::sample::select(vec!["America/New_York", "Europe/London", "Australia/Sydney", "UTC"]),
        rule in proptest::sample::select(vec![
            "FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=MO,TH",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=3;BYDAY=SU,SA;WKST=SU",
            "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=1TU,3TU", "FREQ=MONTHLY;INTERVAL=2;BYDAY=2WE",
            "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1,15", "FREQ=MONTHLY",
            "FREQ=WEEKLY;COUNT=30;BYDAY=FR", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=2", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=SA,SU;BYSETPOS=1,-1",
        ]),
        hour in 0u32..24,
        start_offset in 0i64..1500,
        window_offset in 0i64..1500,
        window_days in 1i64..70,
    ) {
        let zone: Tz = zone.parse().expect("zone");
        let base = date("2024-01-01");
        let time = NaiveTime::from_hms_opt(hour, 30, 0).expect("time");
        // A first day whose start the clocks skip is refused for rules without a period.
        let schedule = Schedule::new(zone, Some(rule), time, 60, base + Duration::days(start_offset), None);
        proptest::prop_assume!(schedule.is_ok());
        let schedule = schedule.expect("valid");
        let from = (base + Duration::days(window_offset)).and_time(NaiveTime::MIN).and_utc();
        let to = from + Duration::days(window_days);
        proptest::prop_assert_eq!(
            schedule.starts_between(from, to, MAX_OCCURRENCES),
            schedule.starts_iterating_from(schedule.starts_on, from, to, MAX_OCCURRENCES)
        );
    }
}
