//! `kinship seed --scale N`: deterministic, realistic data for load tests and demos at scale.
//! N meetings in groups of one to three, clustered around real cities in a dozen time zones,
//! evening-heavy and weekday-heavy, mostly weekly with some multi-day, monthly and one-off
//! schedules, in person, online and hybrid; organizations of about ten thousand meetings each,
//! members (pseudonyms only) with memberships, and four weeks of attendance for a tenth of the
//! meetings. The same N gives the same data (ids and timestamps aside). Rows are written with
//! large multi-row inserts, a batch of groups per transaction.

mod places;

use crate::db::tables::{attendance, meetings, members, memberships, support_groups};
use crate::db::{DbConnection, Id, Ts, insert_in_batches, write_transaction};
use crate::error::{ApiError, ApiResult};
use crate::groups::model::{Facilitation, GroupRow, GroupStatus, GroupVisibility, JoinPolicy};
use crate::meetings::attendance::AttendanceRow;
use crate::meetings::catalog;
use crate::meetings::model::{AccessibilityFeature, AttendanceMode, MeetingRow};
use crate::meetings::{horizon, recurrence};
use crate::members::model::{MemberRole, MemberRow};
use crate::memberships::model::{MembershipRole, MembershipRow, MembershipState};
use crate::organizations::model as organizations;
use crate::recovery::{Audience, Pathway, RecoveryFocus};
use crate::stored::{StoredEnum, encode_enums, encode_list};
use chrono::{Duration, NaiveDate, Utc};
use diesel::connection::SimpleConnection;
use places::{CITIES, City};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// Meetings per organization.
const MEETINGS_PER_ORGANIZATION: usize = 10_000;
/// Groups written per transaction.
const GROUPS_PER_BATCH: usize = 2_000;

/// What a seed wrote.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SeedReport {
    /// Organizations, with slugs `seed-1`, `seed-2`, ...
    pub organizations: usize,
    /// Groups.
    pub groups: usize,
    /// Members.
    pub members: usize,
    /// Memberships.
    pub memberships: usize,
    /// Meetings.
    pub meetings: usize,
    /// Attendance records.
    pub attendance: usize,
    /// An admin API key of `seed-1` (shown once).
    #[serde(rename = "apiKey")]
    pub admin_key: String,
}

/// Seeds `scale` meetings (and all around them) into a database without seed data;
/// `progress` hears (meetings written, scale).
pub fn seed(
    conn: &mut DbConnection,
    scale: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> ApiResult<SeedReport> {
    if scale == 0 || scale > 10_000_000 {
        return Err(ApiError::bad_input(
            "scale",
            "seed 1 to 10,000,000 meetings",
        ));
    }
    if organizations::find_by_slug(conn, "seed-1")?.is_some() {
        return Err(ApiError::Conflict(
            "this database is already seeded (organization seed-1 exists); seed an empty one"
                .into(),
        ));
    }
    let mut rng = StdRng::seed_from_u64(scale as u64);
    let mut report = SeedReport::default();
    let org_count = scale.div_ceil(MEETINGS_PER_ORGANIZATION);
    let mut orgs = Vec::with_capacity(org_count);
    for n in 1..=org_count {
        let (org, key) = organizations::create_with_admin_key(
            conn,
            &format!("Seed organization {n}"),
            &format!("seed-{n}"),
        )?;
        if n == 1 {
            report.admin_key = key.secret;
        }
        orgs.push(org.id);
    }
    report.organizations = org_count;
    // The horizon the seeded meetings' occurrences are written up to.
    let now = Utc::now();
    let until = horizon::extend(conn, now)?;
    let mut batch = Batch::default();
    let mut meeting_number = 0;
    let mut group_number = 0;
    while meeting_number < scale {
        let organization_id = orgs[(meeting_number / MEETINGS_PER_ORGANIZATION).min(org_count - 1)];
        let city = pick_city(&mut rng);
        let group = group_row(&mut rng, organization_id, city, group_number);
        let wanted = *[1, 2, 2, 3].choose(&mut rng).unwrap_or(&2);
        for _ in 0..wanted.min(scale - meeting_number) {
            batch
                .meetings
                .push(meeting_row(&mut rng, &group, city, meeting_number));
            meeting_number += 1;
        }
        members_of(&mut rng, &mut batch, &group, city, group_number);
        batch.groups.push(group);
        group_number += 1;
        if batch.groups.len() == GROUPS_PER_BATCH || meeting_number == scale {
            attendance_of(&mut rng, &mut batch);
            batch.write(conn, (now - horizon::kept_past(), until), &mut report)?;
            progress(meeting_number, scale);
        }
    }
    // Fresh statistics and visibility maps, as autovacuum would leave them, so the planner
    // and index-only scans see the data as a live database would.
    match conn {
        DbConnection::Pg(pg) => pg.batch_execute(
            "VACUUM (ANALYZE) meetings, meeting_occurrences, support_groups, members, memberships, attendance",
        )?,
        DbConnection::Sqlite(lite) => lite.batch_execute("ANALYZE")?,
    }
    Ok(report)
}

/// Rows waiting to be written.
#[derive(Default)]
struct Batch {
    groups: Vec<GroupRow>,
    meetings: Vec<MeetingRow>,
    members: Vec<MemberRow>,
    memberships: Vec<MembershipRow>,
    attendance: Vec<AttendanceRow>,
}

impl Batch {
    /// Writes the rows, with the meetings' occurrences in `horizon`.
    fn write(
        &mut self,
        conn: &mut DbConnection,
        (from, to): (chrono::DateTime<Utc>, chrono::DateTime<Utc>),
        report: &mut SeedReport,
    ) -> ApiResult<()> {
        write_transaction(conn, |conn| {
            insert_in_batches!(conn, support_groups::table, &self.groups, 15);
            insert_in_batches!(conn, members::table, &self.members, 14);
            insert_in_batches!(conn, memberships::table, &self.memberships, 8);
            insert_in_batches!(conn, meetings::table, &self.meetings, 32);
            insert_in_batches!(conn, attendance::table, &self.attendance, 7);
            let public: std::collections::HashSet<Id> = self
                .groups
                .iter()
                .filter(|g| g.visibility == GroupVisibility::Public)
                .map(|g| g.id)
                .collect();
            let occurrences: Vec<_> = self
                .meetings
                .iter()
                .flat_map(|m| horizon::rows_of(m, &[], public.contains(&m.group_id), from, to))
                .collect();
            horizon::insert_all(conn, &occurrences)?;
            Ok(())
        })?;
        report.groups += self.groups.len();
        report.members += self.members.len();
        report.memberships += self.memberships.len();
        report.meetings += self.meetings.len();
        report.attendance += self.attendance.len();
        *self = Batch::default();
        Ok(())
    }
}

fn pick_city(rng: &mut StdRng) -> &'static City {
    let total: u32 = CITIES.iter().map(|c| c.weight).sum();
    let mut at = rng.random_range(0..total);
    for city in &CITIES {
        if at < city.weight {
            return city;
        }
        at -= city.weight;
    }
    &CITIES[0]
}

fn some_of<T: StoredEnum + PartialEq>(rng: &mut StdRng, most: usize) -> Vec<T> {
    let count = rng.random_range(1..=most);
    let mut picked: Vec<T> = Vec::with_capacity(count);
    for _ in 0..count {
        if let Some(value) = T::ALL.choose(rng)
            && !picked.contains(value)
        {
            picked.push(*value);
        }
    }
    picked
}

const GROUP_WORDS: [&str; 12] = [
    "Serenity",
    "Hope",
    "Fellowship",
    "New Beginnings",
    "Lighthouse",
    "Daily Reprieve",
    "Open Door",
    "Common Ground",
    "Second Chance",
    "Sunrise",
    "Bridge",
    "Harbor",
];
const GROUP_KINDS: [&str; 5] = ["Group", "Circle", "Fellowship", "Community", "Collective"];
const MEETING_KINDS: [&str; 8] = [
    "Discussion",
    "Step Study",
    "Big Book",
    "Speaker Meeting",
    "Newcomers",
    "Meditation",
    "Literature",
    "Open Share",
];

fn group_row(rng: &mut StdRng, organization_id: Id, city: &City, n: usize) -> GroupRow {
    let now = Ts::now();
    let visibility = match rng.random_range(0..100) {
        0..85 => GroupVisibility::Public,
        85..95 => GroupVisibility::Unlisted,
        _ => GroupVisibility::Private,
    };
    let mut focus = vec![RecoveryFocus::Any];
    if rng.random_bool(0.4) {
        focus = some_of(rng, 2);
    }
    GroupRow {
        id: Id::new(),
        organization_id,
        name: format!(
            "{} {} of {} #{n}",
            GROUP_WORDS.choose(rng).unwrap_or(&"Hope"),
            GROUP_KINDS.choose(rng).unwrap_or(&"Group"),
            city.name
        ),
        description: format!("A peer support group meeting in and around {}.", city.name),
        focus: encode_enums(&focus),
        pathway: *Pathway::ALL.choose(rng).unwrap_or(&Pathway::TwelveStep),
        audience: if rng.random_bool(0.7) {
            encode_enums(&[Audience::Everyone])
        } else {
            encode_enums(&some_of::<Audience>(rng, 2))
        },
        languages: encode_list([city.languages.0]),
        visibility,
        join_policy: *JoinPolicy::ALL.choose(rng).unwrap_or(&JoinPolicy::Open),
        facilitation: if rng.random_bool(0.25) {
            Facilitation::ProfessionallyFacilitated
        } else {
            Facilitation::PeerLed
        },
        capacity: None,
        status: GroupStatus::Active,
        created_at: now,
        updated_at: now,
    }
}

/// A local start time: mostly evenings, then mornings and noon.
fn start_time(rng: &mut StdRng) -> String {
    let (hour, minute) = match rng.random_range(0..100) {
        0..58 => (
            rng.random_range(18..21),
            *[0, 0, 30, 15].choose(rng).unwrap_or(&0),
        ),
        58..73 => (rng.random_range(6..9), *[0, 30].choose(rng).unwrap_or(&0)),
        73..88 => (12, *[0, 0, 15, 30].choose(rng).unwrap_or(&0)),
        _ => (rng.random_range(9..23), *[0, 30].choose(rng).unwrap_or(&0)),
    };
    format!("{hour:02}:{minute:02}")
}

/// A weekday code, weekdays more often than weekends.
fn weekday(rng: &mut StdRng) -> &'static str {
    [
        "MO", "TU", "WE", "TH", "FR", "MO", "TU", "WE", "TH", "FR", "SA", "SU",
    ]
    .choose(rng)
    .copied()
    .unwrap_or("MO")
}

fn schedule(rng: &mut StdRng, row: &mut MeetingRow) {
    let today = Utc::now().date_naive();
    row.starts_on = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or(today);
    row.rrule = match rng.random_range(0..100) {
        0..75 => Some(format!("FREQ=WEEKLY;BYDAY={}", weekday(rng))),
        75..84 => {
            let mut days = vec![weekday(rng), weekday(rng), weekday(rng)];
            days.sort_unstable();
            days.dedup();
            Some(format!("FREQ=WEEKLY;BYDAY={}", days.join(",")))
        }
        84..87 => Some("FREQ=DAILY".to_owned()),
        87..97 => {
            let ordinal = *[1, 2, 3, -1].choose(rng).unwrap_or(&1);
            Some(format!("FREQ=MONTHLY;BYDAY={ordinal}{}", weekday(rng)))
        }
        _ => {
            row.starts_on = today + Duration::days(rng.random_range(0..60));
            None
        }
    };
}

fn meeting_row(rng: &mut StdRng, group: &GroupRow, city: &City, n: usize) -> MeetingRow {
    let mode = match rng.random_range(0..100) {
        0..60 => AttendanceMode::InPerson,
        60..85 => AttendanceMode::Online,
        _ => AttendanceMode::Hybrid,
    };
    let kind = MEETING_KINDS.choose(rng).unwrap_or(&"Discussion");
    let mut row = MeetingRow::new(
        group.organization_id,
        group.id,
        format!("{} {kind}", group.name),
        mode,
        city.timezone.to_owned(),
    );
    row.description = format!("{kind} meeting. Newcomers welcome.");
    schedule(rng, &mut row);
    row.start_time = start_time(rng);
    row.duration_minutes = *[60, 60, 60, 90, 75].choose(rng).unwrap_or(&60);
    if mode != AttendanceMode::Online {
        // Within about 20 km of the centre, denser near it.
        let spread = |rng: &mut StdRng| (rng.random::<f64>() + rng.random::<f64>() - 1.0) * 0.18;
        let latitude = city.latitude + spread(rng);
        let longitude =
            city.longitude + spread(rng) / city.latitude.to_radians().cos().abs().max(0.2);
        row.venue = Some(format!("{} Community Hall", city.name));
        row.address = Some(format!("{} Main Street", 1 + n % 2000));
        row.city = Some(city.name.to_owned());
        row.region = Some(city.region.to_owned());
        row.country_code = Some(city.country.to_owned());
        row.latitude = Some((latitude * 1e5).round() / 1e5);
        row.longitude = Some((longitude * 1e5).round() / 1e5);
    }
    if mode != AttendanceMode::InPerson {
        row.online_url = Some(format!("https://meet.example.org/seed-{n}"));
    }
    let program = match rng.random_range(0..100) {
        0..65 => Some("aa"),
        65..85 => Some("na"),
        85..92 => Some("al-anon"),
        92..96 => Some("ca"),
        _ => None,
    };
    if let Some(program) = program.and_then(catalog::program) {
        let codes: Vec<&String> = program.types.keys().collect();
        let mut types: Vec<&str> = (0..rng.random_range(1..=3))
            .filter_map(|_| codes.choose(rng).map(|c| c.as_str()))
            .collect();
        types.sort_unstable();
        types.dedup();
        row.program = Some(program.key.clone());
        row.types = encode_list(types);
    }
    let mut languages = vec![city.languages.0];
    if let Some(second) = city.languages.1
        && rng.random_bool(0.12)
    {
        languages = vec![second];
    }
    row.languages = encode_list(languages);
    if rng.random_bool(0.3) {
        row.accessibility = encode_enums(&[AccessibilityFeature::Wheelchair]);
    }
    if rng.random_bool(0.2) {
        row.capacity = Some(rng.random_range(15..80));
    }
    row
}

/// Three to twelve members for the group, one of them its facilitator.
fn members_of(rng: &mut StdRng, batch: &mut Batch, group: &GroupRow, city: &City, n: usize) {
    let now = Ts::now();
    for i in 0..rng.random_range(3..=12) {
        let member = MemberRow {
            id: Id::new(),
            organization_id: group.organization_id,
            external_ref: format!("seed-{n}-{i}"),
            display_name: format!("Peer {n}.{i}"),
            role: match rng.random_range(0..10) {
                0..7 => MemberRole::PersonInRecovery,
                7..9 => MemberRole::FamilyOrFriend,
                _ => MemberRole::Professional,
            },
            languages: encode_list([city.languages.0]),
            timezone: Some(city.timezone.to_owned()),
            pronouns: None,
            recovery_start_date: None,
            recovery_focus: encode_enums(&[RecoveryFocus::Any]),
            recovery_pathway: None,
            erased_at: None,
            created_at: now,
            updated_at: now,
        };
        batch.memberships.push(MembershipRow {
            id: Id::new(),
            organization_id: group.organization_id,
            group_id: group.id,
            member_id: member.id,
            role: if i == 0 {
                MembershipRole::Facilitator
            } else {
                MembershipRole::Member
            },
            state: MembershipState::Active,
            created_at: now,
            updated_at: now,
        });
        batch.members.push(member);
    }
}

/// The last four weeks of attendance for a tenth of the batch's meetings (every tenth, so that
/// the smallest scales have some too), by their members.
fn attendance_of(rng: &mut StdRng, batch: &mut Batch) {
    let now = Utc::now();
    for meeting in batch.meetings.iter().step_by(10) {
        let Ok(schedule) = meeting.schedule() else {
            continue;
        };
        let members: Vec<Id> = batch
            .memberships
            .iter()
            .filter(|m| m.group_id == meeting.group_id)
            .map(|m| m.member_id)
            .collect();
        for occurrence in recurrence::occurrences(&schedule, &[], now - Duration::days(28), now, 8)
        {
            for member in members.iter().filter(|_| rng.random_bool(0.6)) {
                batch.attendance.push(AttendanceRow {
                    id: Id::new(),
                    organization_id: meeting.organization_id,
                    meeting_id: meeting.id,
                    occurrence_start: Ts::from(occurrence.start),
                    member_id: *member,
                    recorded_by: "seed".into(),
                    recorded_at: Ts::from(occurrence.end),
                });
            }
        }
    }
}
