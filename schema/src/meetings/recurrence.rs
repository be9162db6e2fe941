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

/// A rule as it is stored and read: upper case, without the `RRULE:` a calendar pastes with it,
/// trimmed; `None` when blank.
pub fn rule_text(text: &str) -> Option<String> {
    let upper = text.trim().to_ascii_uppercase();
    let rule = upper.strip_prefix("RRULE:").unwrap_or(&upper).trim();
    (!rule.is_empty()).then(|| rule.to_owned())
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
        let rrule = match rrule.and_then(rule_text) {
            None => None,
            Some(text) => {
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
mod tests;
