//! Demo data for `kinship serve --demo`: an organization to explore the API with: members
//! (pseudonyms), groups of every visibility and join policy, a professional facilitator with a
//! verified credential, and a consented family support link.

use crate::api_keys::model::{self as keys, IssuedKey};
use crate::auth::Scope;
use crate::db::{DbConnection, Id};
use crate::error::{ApiError, ApiResult};
use crate::groups::GroupFields;
use crate::groups::model::{self as groups, Facilitation, GroupRow, GroupVisibility, JoinPolicy};
use crate::meetings::model::{self as meetings, AttendanceMode, MeetingRow};
use crate::members::model::{
    self as members, CredentialKind, MemberChange, MemberRole, VerificationStatus,
};
use crate::memberships::model::{self as memberships, Actor, MembershipRole};
use crate::organizations::model::{self as organizations, OrganizationRow};
use crate::recovery::{Audience, Pathway, RecoveryFocus};
use crate::stored::encode_list;
use crate::support_links::model as support_links;
use async_graphql::MaybeUndefined;

/// Slug of the demo organization.
pub const DEMO_SLUG: &str = "demo";

/// Name of the key each later `serve --demo` issues (the previous one is revoked).
const DEMO_KEY_NAME: &str = "demo (serve --demo)";

/// What `--demo` did: the demo organization and a fresh admin key for it.
#[derive(Debug, Clone)]
pub struct DemoData {
    /// The demo organization.
    pub organization: OrganizationRow,
    /// A new admin key (shown once).
    pub key: IssuedKey,
    /// Whether the demo data was loaded now (false: it was already there).
    pub loaded: bool,
}

/// Loads the demo data into a database that does not have it yet, and issues an admin key
/// for the demo organization either way, so every `serve --demo` prints a working key: the
/// operator's `chosen` one (`KINSHIP_DEMO_KEY`), the same at every start, or else a new one
/// (and the key printed by the previous start stops working).
pub fn load(conn: &mut DbConnection, chosen: Option<&str>) -> ApiResult<DemoData> {
    let (organization, first_key) = match organizations::find_by_slug(conn, DEMO_SLUG)? {
        Some(organization) => (organization, None),
        None => {
            let (organization, key) =
                organizations::create_with_admin_key(conn, "Demo Recovery Network", DEMO_SLUG)?;
            community(conn, organization.id)?;
            (organization, Some(key))
        }
    };
    let loaded = first_key.is_some();
    if let (None, Some(key)) = (chosen, first_key) {
        return Ok(DemoData {
            organization,
            key,
            loaded,
        });
    }
    if let Some(secret) = chosen
        && let Some(row) = keys::find_active_by_secret(conn, secret)?
        && row.organization_id == organization.id
    {
        let key = keys::IssuedKey {
            row,
            secret: secret.to_owned(),
        };
        return Ok(DemoData {
            organization,
            key,
            loaded,
        });
    }
    keys::revoke_named(conn, organization.id, DEMO_KEY_NAME)?;
    keys::revoke_named(conn, organization.id, organizations::FIRST_ADMIN_KEY_NAME)?;
    let key = match chosen {
        Some(secret) => keys::create_with_secret(
            conn,
            organization.id,
            DEMO_KEY_NAME,
            &[Scope::Admin],
            secret.to_owned(),
        )?,
        None => keys::create(conn, organization.id, DEMO_KEY_NAME, &[Scope::Admin])?,
    };
    Ok(DemoData {
        organization,
        key,
        loaded,
    })
}

/// One demo member: external reference, display name, role, languages.
type DemoMember = (
    &'static str,
    &'static str,
    MemberRole,
    &'static [&'static str],
);

/// The demo members; `demo-sam` is the one the examples act as with a member token.
const MEMBERS: [DemoMember; 6] = [
    ("demo-sam", "Sam R.", MemberRole::PersonInRecovery, &["en"]),
    (
        "demo-alex",
        "Alex",
        MemberRole::PersonInRecovery,
        &["en", "es"],
    ),
    ("demo-maria", "María", MemberRole::PersonInRecovery, &["es"]),
    (
        "demo-jordan",
        "Jordan",
        MemberRole::PersonInRecovery,
        &["en"],
    ),
    (
        "demo-pat",
        "Pat (Sam's parent)",
        MemberRole::FamilyOrFriend,
        &["en"],
    ),
    (
        "demo-lee",
        "Lee, LCSW",
        MemberRole::Professional,
        &["en", "es"],
    ),
];

fn community(conn: &mut DbConnection, organization_id: Id) -> ApiResult<()> {
    let mut members = Vec::new();
    for (external_ref, name, role, languages) in MEMBERS {
        let changes = MemberChange {
            display_name: Some(name.to_owned()),
            role: Some(role),
            languages: Some(encode_list(languages.iter().copied())),
            timezone: Some(Some("America/New_York".to_owned())),
            ..MemberChange::default()
        };
        members.push(members::upsert(
            conn,
            organization_id,
            external_ref,
            changes,
            None,
        )?);
    }
    let [sam, alex, maria, jordan, pat, lee] = &members[..] else {
        return Err(ApiError::internal("demo members missing"));
    };
    let group = |conn: &mut DbConnection, name: &str, fields: GroupFields| {
        groups::create(
            conn,
            organization_id,
            fields.into_change(Some(name.into()))?,
        )
    };
    let evening = group(
        conn,
        "Evening Recovery Circle",
        GroupFields {
            description: Some(
                "A peer-led discussion group for anyone in recovery. Newcomers welcome.".into(),
            ),
            focus: Some(vec![RecoveryFocus::Any]),
            pathway: Some(Pathway::TwelveStep),
            languages: Some(vec!["en".into()]),
            ..GroupFields::default()
        },
    )?;
    let mat = group(
        conn,
        "MAT-Friendly Opioid Recovery",
        GroupFields {
            description: Some(
                "Professionally facilitated; people on methadone or buprenorphine are welcome."
                    .into(),
            ),
            focus: Some(vec![RecoveryFocus::Opioids]),
            pathway: Some(Pathway::MatFriendly),
            languages: Some(vec!["en".into(), "es".into()]),
            facilitation: Some(Facilitation::ProfessionallyFacilitated),
            join_policy: Some(JoinPolicy::Request),
            capacity: MaybeUndefined::Value(12),
            ..GroupFields::default()
        },
    )?;
    group(
        conn,
        "Women in Recovery (SMART)",
        GroupFields {
            description: Some("SMART Recovery tools in a women-only space.".into()),
            focus: Some(vec![RecoveryFocus::Alcohol, RecoveryFocus::Stimulants]),
            pathway: Some(Pathway::Smart),
            audience: Some(vec![Audience::Women]),
            languages: Some(vec!["en".into()]),
            ..GroupFields::default()
        },
    )?;
    let families = group(
        conn,
        "Families Together (CRAFT)",
        GroupFields {
            description: Some("For parents, partners and friends of people in recovery.".into()),
            focus: Some(vec![RecoveryFocus::Any]),
            pathway: Some(Pathway::Other),
            audience: Some(vec![Audience::FamiliesAndFriends]),
            languages: Some(vec!["en".into()]),
            ..GroupFields::default()
        },
    )?;
    let aftercare = group(
        conn,
        "Aftercare Cohort (private)",
        GroupFields {
            description: Some("For clients finishing the clinic's outpatient program.".into()),
            visibility: Some(GroupVisibility::Private),
            join_policy: Some(JoinPolicy::Invitation),
            facilitation: Some(Facilitation::ProfessionallyFacilitated),
            ..GroupFields::default()
        },
    )?;
    for (group, member) in [
        (&evening, sam),
        (&evening, alex),
        (&evening, jordan),
        (&mat, maria),
        (&mat, lee),
        (&families, pat),
        (&aftercare, lee),
        (&aftercare, alex),
    ] {
        memberships::join(conn, group.id, member, Actor::Staff)?;
    }
    memberships::invite(conn, aftercare.id, sam, MembershipRole::Member)?;
    memberships::join(conn, mat.id, jordan, Actor::Member)?;
    for group in [&mat, &aftercare] {
        if let Some(row) = memberships::find(conn, group.id, lee.id)? {
            memberships::set_role(conn, &row, MembershipRole::Facilitator)?;
        }
    }
    let weekly = |group: &GroupRow, name: &str, rrule: &str, time: &str, mode: AttendanceMode| {
        let mut row = MeetingRow::new(
            group.organization_id,
            group.id,
            name.to_owned(),
            mode,
            "America/New_York".to_owned(),
        );
        row.rrule = Some(rrule.to_owned());
        row.start_time = time.to_owned();
        row.duration_minutes = 60;
        row.starts_on = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or(row.starts_on);
        row.languages = encode_list(["en"]);
        row
    };
    let mut tuesday = weekly(
        &evening,
        "Tuesday & Thursday Discussion",
        "FREQ=WEEKLY;BYDAY=TU,TH",
        "19:00",
        AttendanceMode::Hybrid,
    );
    tuesday.venue = Some("St. Mark's Parish Hall".into());
    tuesday.address = Some("131 E 10th St".into());
    tuesday.city = Some("New York".into());
    tuesday.region = Some("NY".into());
    tuesday.country_code = Some("US".into());
    tuesday.latitude = Some(40.7295);
    tuesday.longitude = Some(-73.9866);
    tuesday.online_url = Some("https://meet.example.org/demo-evening".into());
    tuesday.program = Some("aa".into());
    tuesday.types = encode_list(["O", "D", "BE"]);
    tuesday.accessibility = encode_list(["WHEELCHAIR"]);
    meetings::create(conn, tuesday, "demo")?;
    let mut speaker = weekly(
        &evening,
        "Last Friday Speaker Meeting",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "20:00",
        AttendanceMode::Online,
    );
    speaker.online_url = Some("https://meet.example.org/demo-speaker".into());
    speaker.program = Some("aa".into());
    speaker.types = encode_list(["O", "SP"]);
    meetings::create(conn, speaker, "demo")?;
    let mut mat_meeting = weekly(
        &mat,
        "Wednesday MAT Support",
        "FREQ=WEEKLY;BYDAY=WE",
        "18:00",
        AttendanceMode::Online,
    );
    mat_meeting.online_url = Some("https://meet.example.org/demo-mat".into());
    mat_meeting.languages = encode_list(["en", "es"]);
    meetings::create(conn, mat_meeting, "demo")?;
    let credential = members::add_credential(
        conn,
        lee,
        CredentialKind::Lcsw,
        "New York State Education Department".into(),
    )?;
    members::set_verification(
        conn,
        organization_id,
        credential.id,
        VerificationStatus::Verified,
    )?;
    let link = support_links::request(conn, pat, sam, true)?;
    support_links::respond(conn, &link, sam, true)?;
    Ok(())
}
