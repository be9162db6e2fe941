//! When a meeting happens: its schedule (an RFC 5545 RRULE, a local start time and duration, a
//! first and an optional last date, all in the meeting's IANA time zone) and its exceptions
//! (cancelled or moved occurrences) give its occurrences. Local time is what stays fixed: a
//! 19:00 meeting in New York is at 19:00 before and after a daylight-saving change, which moves
//! its UTC instant.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::RRuleSet;

/// How far an occurrence may be moved from its original time.
pub const MAX_SHIFT_DAYS: i64 = 31;

/// RRULE weekday codes by day number (0 = Sunday, as Meeting Guide numbers them).
pub const WEEKDAY_CODES: [&str; 7] = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

/// The value of one part of an RRULE (`rule_part("FREQ=WEEKLY;BYDAY=TU", "BYDAY=")` is `TU`).
pub fn rule_part<'a>(rule: &'a str, name: &str) -> Option<&'a str> {
    rule.split(';').find_map(|p| p.strip_prefix(name))
}

/// Most occurrences one call computes.
pub const MAX_OCCURRENCES: usize = 500;

/// The recurrence frequencies a meeting may use, with the longest interval each may have.
const FREQUENCIES: [(&str, u32); 3] = [("DAILY", 366), ("WEEKLY", 52), ("MONTHLY", 12)];

/// The RRULE parts a meeting may use. A meeting starts once on each day it is held, at its
/// `startTime`, so there is no `BYHOUR`, `BYMINUTE` or `BYSECOND`; nor `BYYEARDAY`,
/// `BYWEEKNO` or `BYMONTH`, which could leave a schedule with no occurrence for decades.
const RULE_PARTS: [&str; 8] = [
    "FREQ",
    "INTERVAL",
    "BYDAY",
    "BYMONTHDAY",
    "BYSETPOS",
    "COUNT",
    "UNTIL",
    "WKST",
];

/// Most occurrences a `COUNT` rule may give (its expansion walks them from the first day).
pub const MAX_COUNT: u32 = 500;

/// The first day a schedule may start on.
pub fn earliest_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// The last day a schedule may reach.
pub fn latest_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2199, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Checks the parts of a rule (already upper case, without `RRULE:`): only [`RULE_PARTS`],
/// each once, with bounded values.
fn check_rule_parts(text: &str) -> Result<(), ScheduleError> {
    let mut seen: Vec<&str> = Vec::new();
    for part in text.split(';').filter(|p| !p.is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| invalid("rrule", "write each part as NAME=VALUE, e.g. FREQ=WEEKLY"))?;
        if !RULE_PARTS.contains(&name) {
            let why = match name {
                "BYHOUR" | "BYMINUTE" | "BYSECOND" => {
                    "a meeting starts once a day, at its startTime"
                }
                _ => "use FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYSETPOS, COUNT, UNTIL or WKST",
            };
            return Err(invalid(
                "rrule",
                format!("{} is not supported: {why}", crate::validate::excerpt(name)),
            ));
        }
        if seen.contains(&name) {
            return Err(invalid("rrule", format!("{name} is given twice")));
        }
        seen.push(name);
        let number = || value.parse::<u32>().ok();
        match name {
            "FREQ" => match FREQUENCIES.iter().find(|(f, _)| *f == value) {
                Some(_) => {}
                None => return Err(invalid("rrule", "FREQ must be DAILY, WEEKLY or MONTHLY")),
            },
            "COUNT" if !number().is_some_and(|n| (1..=MAX_COUNT).contains(&n)) => {
                return Err(invalid(
                    "rrule",
                    format!("COUNT must be 1 to {MAX_COUNT} (or give endsOn)"),
                ));
            }
            "UNTIL" => {
                let day = value
                    .get(..8)
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
                    .ok_or_else(|| invalid("rrule", "UNTIL must be a date such as 20271231"))?;
                if day > latest_day() {
                    return Err(invalid(
                        "rrule",
                        format!("UNTIL must be on or before {}", latest_day()),
                    ));
                }
            }
            _ => {}
        }
    }
    let freq = crate::meetings::recurrence::rule_part(text, "FREQ=")
        .ok_or_else(|| invalid("rrule", "give FREQ, e.g. FREQ=WEEKLY;BYDAY=TU"))?;
    let longest = FREQUENCIES
        .iter()
        .find(|(f, _)| *f == freq)
        .map_or(1, |(_, n)| *n);
    if let Some(interval) = rule_part(text, "INTERVAL=")
        && !interval
            .parse::<u32>()
            .is_ok_and(|n| (1..=longest).contains(&n))
    {
        return Err(invalid(
            "rrule",
            format!("INTERVAL must be 1 to {longest} for FREQ={freq}"),
        ));
    }
    if rule_part(text, "BYSETPOS=").is_some() && freq == "DAILY" {
        return Err(invalid("rrule", "BYSETPOS needs FREQ=WEEKLY or MONTHLY"));
    }
    Ok(())
}

/// A validated schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// The meeting's time zone.
    pub timezone: Tz,
    /// The RRULE (without `RRULE:`), or `None` for a one-off meeting on `starts_on`.
    pub rrule: Option<String>,
    /// Local start time.
    pub start_time: NaiveTime,
    /// Length in minutes.
    pub duration_minutes: i32,
    /// First day the meeting may happen.
    pub starts_on: NaiveDate,
    /// Last day it may happen.
    pub ends_on: Option<NaiveDate>,
}

/// A schedule that cannot be used: which input field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    /// The field, relative to the schedule input (`rrule`, `startTime`, ...).
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> ScheduleError {
    ScheduleError {
        field,
        message: message.into(),
    }
}

impl Schedule {
    /// Checks a schedule: a supported RRULE, a positive duration under a day, dates in order.
    pub fn new(
        timezone: Tz,
        rrule: Option<&str>,
        start_time: NaiveTime,
        duration_minutes: i32,
        starts_on: NaiveDate,
        ends_on: Option<NaiveDate>,
    ) -> Result<Schedule, ScheduleError> {
        if !(1..=24 * 60).contains(&duration_minutes) {
            return Err(invalid("durationMinutes", "use 1 to 1440 minutes"));
        }
        if ends_on.is_some_and(|end| end < starts_on) {
            return Err(invalid("endsOn", "the last day comes before the first"));
        }
        if !(earliest_day()..=latest_day()).contains(&starts_on) {
            return Err(invalid(
                "startsOn",
                format!("use a day from {} to {}", earliest_day(), latest_day()),
            ));
        }
        if ends_on.is_some_and(|end| end > latest_day()) {
            return Err(invalid(
                "endsOn",
                format!("use a day up to {}", latest_day()),
            ));
        }
        let rrule = match rrule.map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(text) => {
                let text = text
                    .strip_prefix("RRULE:")
                    .unwrap_or(text)
                    .to_ascii_uppercase();
                if text.contains("DTSTART") || text.contains('\n') {
                    return Err(invalid(
                        "rrule",
                        "give the RRULE only; the start comes from startsOn and startTime",
                    ));
                }
                check_rule_parts(&text)?;
                Some(text)
            }
        };
        let schedule = Schedule {
            timezone,
            rrule,
            start_time,
            duration_minutes,
            starts_on,
            ends_on,
        };
        let skipped = matches!(
            timezone.from_local_datetime(&starts_on.and_time(start_time)),
            chrono::LocalResult::None
        );
        if skipped && schedule.period().is_none() {
            return Err(invalid(
                "startTime",
                format!(
                    "{} does not exist on {} in {} (the clocks skip it); choose another time or first day",
                    start_time.format("%H:%M"),
                    starts_on,
                    timezone.name()
                ),
            ));
        }
        schedule
            .rule_set()
            .map_err(|e| invalid("rrule", format!("not a valid RRULE: {e}")))?;
        Ok(schedule)
    }

    /// Checks, once when a schedule is written, that it gives an occurrence within four
    /// years of its first day (a rule such as the 31st of every February never does, and
    /// would send every later expansion looking for one).
    pub fn check_occurs(&self) -> Result<(), ScheduleError> {
        let from = local_midnight(self.timezone, self.starts_on);
        let within = from + Duration::days(4 * 366);
        if self.rrule.is_some()
            && self
                .starts_iterating_from(self.starts_on, from, within, 1)
                .is_empty()
        {
            return Err(invalid(
                "rrule",
                "this rule gives no occurrence within four years of startsOn",
            ));
        }
        Ok(())
    }

    fn rule_set(&self) -> Result<RRuleSet, rrule::RRuleError> {
        self.rule_set_from(self.starts_on)
    }

    /// The rule set iterated from `first_day` (the first day, or another one in phase with it).
    /// The rule text is parsed once per process ([`parsed_rule`]). A local start the clocks
    /// repeat is its first instance (RFC 5545). A start the clocks skip would shift every later
    /// occurrence to the time after the gap, so iteration starts one period earlier instead (the
    /// occurrences before the first day are filtered out); a rule without a regular period
    /// (`COUNT`, ...) then goes through the iCalendar parser, which reports the time.
    fn rule_set_from(&self, first_day: NaiveDate) -> Result<RRuleSet, rrule::RRuleError> {
        let rule = self.rrule.as_deref().unwrap_or("FREQ=DAILY;COUNT=1");
        let zone = rrule::Tz::from(self.timezone);
        match zone.from_local_datetime(&first_day.and_time(self.start_time)) {
            chrono::LocalResult::Single(start) | chrono::LocalResult::Ambiguous(start, _) => {
                parsed_rule(rule)?.build(start)
            }
            chrono::LocalResult::None => match self.period().and_then(|p| p.before(first_day)) {
                Some(earlier) => self.rule_set_from(earlier),
                None => format!(
                    "DTSTART;TZID={}:{}T{}\nRRULE:{rule}",
                    self.timezone.name(),
                    first_day.format("%Y%m%d"),
                    self.start_time.format("%H%M%S")
                )
                .parse(),
            },
        }
    }

    /// The rule's regular period, when moving its first day by whole periods keeps the same
    /// occurrences (no `COUNT`, or monthly rule on the first day's date). `BYSETPOS` picks
    /// within each period, so it keeps the period. Every rule a meeting may have but `COUNT`
    /// has one, so expanding it costs the same however long ago it started; a `COUNT` rule
    /// walks at most [`MAX_COUNT`] occurrences.
    fn period(&self) -> Option<Period> {
        let rule = self.rrule.as_deref()?;
        let part = |name: &str| rule_part(rule, name);
        let safe = [
            "FREQ",
            "INTERVAL",
            "BYDAY",
            "BYMONTHDAY",
            "BYSETPOS",
            "UNTIL",
            "WKST",
        ];
        if rule
            .split(';')
            .any(|p| !safe.contains(&p.split('=').next().unwrap_or("")))
        {
            return None;
        }
        let interval = part("INTERVAL=")
            .map_or(Some(1), |i| i.parse::<i32>().ok())
            .filter(|i| (1..=1000).contains(i))?;
        match part("FREQ=") {
            Some("DAILY") => Some(Period::Days(interval)),
            Some("WEEKLY") => Some(Period::Days(7 * interval)),
            Some("MONTHLY") if part("BYDAY=").is_some() || part("BYMONTHDAY=").is_some() => {
                Some(Period::Months(interval))
            }
            _ => None,
        }
    }

    /// A day to iterate the rule from that gives the same occurrences from `from` on as the
    /// first day does, keeping the rule's phase (whole periods of days, weeks or months), so
    /// that finding this week's occurrence of a years-old meeting does not walk every
    /// occurrence since it began. The first day itself when the rule has no regular period.
    fn iteration_start(&self, from: DateTime<Utc>) -> NaiveDate {
        let target = self.local(from).date_naive() - Duration::days(1);
        match self.period() {
            Some(period) if target > self.starts_on => {
                let start = period.last_start(self.starts_on, target);
                // BYSETPOS picks among a period's days from the first day on: the period the
                // iteration starts in must end before the window, so start one period earlier.
                let picks = self
                    .rrule
                    .as_deref()
                    .is_some_and(|r| rule_part(r, "BYSETPOS=").is_some());
                match period.before(start) {
                    Some(earlier) if picks && earlier >= self.starts_on => earlier,
                    _ if picks => self.starts_on,
                    _ => start,
                }
            }
            _ => self.starts_on,
        }
    }

    /// The scheduled starts (before exceptions) in `[from, to)`, at most `limit`.
    pub fn starts_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Vec<DateTime<Utc>> {
        self.starts_iterating_from(self.iteration_start(from), from, to, limit)
    }

    fn starts_iterating_from(
        &self,
        first_day: NaiveDate,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Vec<DateTime<Utc>> {
        let Ok(set) = self.rule_set_from(first_day) else {
            return Vec::new();
        };
        let zone = rrule::Tz::from(self.timezone);
        // `after`/`before` are inclusive; widen by a second and filter exactly below.
        let set = set
            .after((from - Duration::seconds(1)).with_timezone(&zone))
            .before(to.with_timezone(&zone));
        let limit = u16::try_from(limit.min(MAX_OCCURRENCES)).unwrap_or(u16::MAX);
        set.all(limit)
            .dates
            .into_iter()
            .filter(|start| start.date_naive() >= self.starts_on)
            .filter(|start| self.ends_on.is_none_or(|end| start.date_naive() <= end))
            .map(|start| start.with_timezone(&Utc))
            .filter(|start| *start >= from && *start < to)
            .collect()
    }

    /// The meeting's length.
    pub fn duration(&self) -> Duration {
        Duration::minutes(i64::from(self.duration_minutes))
    }

    /// An instant as local time in the meeting's zone.
    pub fn local(&self, instant: DateTime<Utc>) -> DateTime<Tz> {
        instant.with_timezone(&self.timezone)
    }
}

/// The regular period of a rule: moving its first day by whole periods keeps its occurrences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    /// Every so many days (weeks are seven).
    Days(i32),
    /// Every so many months (the rule names the days within them).
    Months(i32),
}

impl Period {
    /// The latest day in phase with `first` that is not after `target`.
    fn last_start(self, first: NaiveDate, target: NaiveDate) -> NaiveDate {
        match self {
            Period::Days(days) => {
                let days = i64::from(days);
                first + Duration::days((target - first).num_days() / days * days)
            }
            Period::Months(step) => {
                let months = (target.year() - first.year()) * 12 + target.month0() as i32
                    - first.month0() as i32;
                u32::try_from(months / step * step)
                    .ok()
                    .filter(|m| *m > 0)
                    .and_then(|m| {
                        first
                            .with_day(1)?
                            .checked_add_months(chrono::Months::new(m))
                    })
                    .unwrap_or(first)
            }
        }
    }

    /// The day one period before `day`, in phase with it.
    fn before(self, day: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::Days(days) => day.checked_sub_signed(Duration::days(i64::from(days))),
            Period::Months(step) => day
                .with_day(1)?
                .checked_sub_months(chrono::Months::new(u32::try_from(step).ok()?)),
        }
    }
}

/// A rule text parsed once per process: meetings share a few hundred distinct rules, and
/// parsing (with regular expressions) was the largest cost of expanding them. Bounded: the
/// cache empties itself when it reaches 10,000 rules.
fn parsed_rule(text: &str) -> Result<rrule::RRule<rrule::Unvalidated>, rrule::RRuleError> {
    use std::collections::HashMap;
    use std::sync::{OnceLock, RwLock};
    type Cache = RwLock<HashMap<String, rrule::RRule<rrule::Unvalidated>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    if let Some(rule) = cache.read().ok().and_then(|c| c.get(text).cloned()) {
        return Ok(rule);
    }
    let rule: rrule::RRule<rrule::Unvalidated> = text.parse()?;
    if let Ok(mut c) = cache.write() {
        if c.len() >= 10_000 {
            c.clear();
        }
        c.insert(text.to_owned(), rule.clone());
    }
    Ok(rule)
}

/// What happened to one occurrence.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// It does not take place.
    Cancelled,
    /// It takes place at another time, for another length.
    Rescheduled {
        /// The new start.
        start: DateTime<Utc>,
        /// The new length in minutes.
        duration_minutes: i32,
    },
}

/// An exception to the schedule, named by the occurrence's original start.
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    /// The original start of the occurrence it changes.
    pub original_start: DateTime<Utc>,
    /// What changed.
    pub change: Change,
    /// Why, for the people who planned to come.
    pub note: String,
}

/// Whether an occurrence happens as scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// As scheduled.
    Scheduled,
    /// Cancelled.
    Cancelled,
    /// Moved.
    Rescheduled,
}

/// One occurrence of a meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// The start the schedule gives it (names it in RSVPs, attendance and exceptions).
    pub original_start: DateTime<Utc>,
    /// When it starts (moved, if rescheduled).
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
    /// Whether it happens as scheduled.
    pub status: Status,
    /// The exception's note, if any.
    pub note: Option<String>,
}

impl Occurrence {
    /// An occurrence that takes place as scheduled.
    pub fn scheduled(start: DateTime<Utc>, duration: Duration) -> Occurrence {
        Occurrence {
            original_start: start,
            start,
            end: start + duration,
            status: Status::Scheduled,
            note: None,
        }
    }
}

/// The occurrences starting in `[from, to)` (cancelled ones included, with their status), in
/// start order, at most `limit`. A moved occurrence counts at its new time.
pub fn occurrences(
    schedule: &Schedule,
    exceptions: &[Exception],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: usize,
) -> Vec<Occurrence> {
    // A moved occurrence may come from (or go to) up to MAX_SHIFT_DAYS away; without
    // exceptions, nothing moves and the window itself is enough.
    let shift = if exceptions.is_empty() {
        Duration::zero()
    } else {
        Duration::days(MAX_SHIFT_DAYS)
    };
    let mut found: Vec<Occurrence> = schedule
        .starts_between(from - shift, to + shift, MAX_OCCURRENCES)
        .into_iter()
        .map(|original| {
            let exception = exceptions.iter().find(|e| e.original_start == original);
            let (start, duration, status) = match exception.map(|e| &e.change) {
                None => (original, schedule.duration(), Status::Scheduled),
                Some(Change::Cancelled) => (original, schedule.duration(), Status::Cancelled),
                Some(Change::Rescheduled {
                    start,
                    duration_minutes,
                }) => (
                    *start,
                    Duration::minutes(i64::from(*duration_minutes)),
                    Status::Rescheduled,
                ),
            };
            Occurrence {
                status,
                note: exception.map(|e| e.note.clone()),
                original_start: original,
                ..Occurrence::scheduled(start, duration)
            }
        })
        .filter(|o| o.start >= from && o.start < to)
        .collect();
    found.sort_by_key(|o| o.start);
    found.truncate(limit);
    found
}

/// Whether `instant` is an original start the schedule gives (for naming occurrences).
pub fn is_scheduled_start(schedule: &Schedule, instant: DateTime<Utc>) -> bool {
    schedule
        .starts_between(instant, instant + Duration::seconds(1), 1)
        .first()
        == Some(&instant)
}

/// The local midnight starting `date` in `zone`, as an instant (for day windows).
pub fn local_midnight(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    zone.from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| date.and_time(NaiveTime::MIN).and_utc())
}

#[cfg(test)]
mod tests {
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
}
