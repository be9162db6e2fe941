//! The tables, written by hand so that both backends share one definition (diesel's
//! `print-schema` would emit different column types per backend). Keep in step with
//! `migrations/postgres` and `migrations/sqlite`; a test compares the three.

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Tenants: clinics, platforms, intergroups.
    organizations (id) {
        id -> UuidSql,
        name -> Text,
        slug -> Text,
        created_at -> TsSql,
        updated_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Server-to-server credentials of an organization, stored as SHA-256 hashes.
    api_keys (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        scopes -> Text,
        created_at -> TsSql,
        last_used_at -> Nullable<TsSql>,
        revoked_at -> Nullable<TsSql>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Pseudonymous member profiles; no column holds a legal name or contact details.
    members (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        external_ref -> Text,
        display_name -> Text,
        role -> Text,
        languages -> Text,
        timezone -> Nullable<Text>,
        pronouns -> Nullable<Text>,
        recovery_start_date -> Nullable<Date>,
        recovery_focus -> Text,
        recovery_pathway -> Nullable<Text>,
        erased_at -> Nullable<TsSql>,
        created_at -> TsSql,
        updated_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Professionals' credentials and their verification.
    credentials (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        member_id -> UuidSql,
        kind -> Text,
        issuer -> Text,
        verification_status -> Text,
        verified_at -> Nullable<TsSql>,
        created_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Support groups.
    support_groups (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        name -> Text,
        description -> Text,
        focus -> Text,
        pathway -> Text,
        audience -> Text,
        languages -> Text,
        visibility -> Text,
        join_policy -> Text,
        facilitation -> Text,
        capacity -> Nullable<Integer>,
        status -> Text,
        created_at -> TsSql,
        updated_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Who belongs to which group, in which role and state.
    memberships (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        group_id -> UuidSql,
        member_id -> UuidSql,
        role -> Text,
        state -> Text,
        created_at -> TsSql,
        updated_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Consented links between family members or friends and people in recovery.
    support_links (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        supporter_id -> UuidSql,
        person_id -> UuidSql,
        state -> Text,
        created_at -> TsSql,
        updated_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::TsSql;

    /// Secrets the instance generates for itself (the member token signing key).
    instance_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Meetings of groups.
    meetings (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        group_id -> UuidSql,
        name -> Text,
        description -> Text,
        attendance_mode -> Text,
        status -> Text,
        timezone -> Text,
        rrule -> Nullable<Text>,
        start_time -> Text,
        duration_minutes -> Integer,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        venue -> Nullable<Text>,
        address -> Nullable<Text>,
        city -> Nullable<Text>,
        region -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        country_code -> Nullable<Text>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        location_approximate -> Bool,
        online_url -> Nullable<Text>,
        online_phone -> Nullable<Text>,
        online_notes -> Nullable<Text>,
        program -> Nullable<Text>,
        types -> Text,
        languages -> Text,
        accessibility -> Text,
        capacity -> Nullable<Integer>,
        created_at -> TsSql,
        updated_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Cancelled and moved occurrences of meetings.
    meeting_exceptions (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        meeting_id -> UuidSql,
        occurrence_start -> TsSql,
        kind -> Text,
        new_start -> Nullable<TsSql>,
        new_duration_minutes -> Nullable<Integer>,
        note -> Text,
        created_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Who changed which meeting, when, and what.
    meeting_changes (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        meeting_id -> UuidSql,
        actor -> Text,
        action -> Text,
        changed_fields -> Text,
        changed_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// RSVPs to single occurrences of meetings.
    rsvps (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        meeting_id -> UuidSql,
        occurrence_start -> TsSql,
        member_id -> UuidSql,
        state -> Text,
        queued_at -> TsSql,
        created_at -> TsSql,
        updated_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Attendance at single occurrences of meetings.
    attendance (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        meeting_id -> UuidSql,
        occurrence_start -> TsSql,
        member_id -> UuidSql,
        recorded_by -> Text,
        recorded_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::UuidSql;

    /// Active meetings' occurrences over the horizon, with what a search near a point needs.
    meeting_occurrences (meeting_id, start_micros) {
        meeting_id -> UuidSql,
        start_micros -> BigInt,
        moved_from_micros -> Nullable<BigInt>,
        organization_id -> UuidSql,
        group_id -> UuidSql,
        public -> Bool,
        cell -> Nullable<Integer>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
    }
}

diesel::table! {
    use diesel::sql_types::*;

    /// How far ahead `meeting_occurrences` is written (one row, id 1).
    occurrence_horizon (id) {
        id -> Integer,
        until_micros -> BigInt,
        extending_to_micros -> Nullable<BigInt>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Where imported meetings came from (feed, slug, content hash).
    meeting_imports (meeting_id) {
        meeting_id -> UuidSql,
        organization_id -> UuidSql,
        source -> Text,
        source_slug -> Text,
        content_hash -> Text,
        imported_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::TsSql;

    /// One row that readiness checks rewrite, to prove the database takes writes.
    readiness_probe (id) {
        id -> Integer,
        probed_at -> TsSql,
    }
}

diesel::joinable!(api_keys -> organizations (organization_id));
diesel::joinable!(memberships -> members (member_id));
diesel::joinable!(memberships -> support_groups (group_id));
diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    api_keys,
    members,
    credentials,
    support_groups,
    memberships,
    support_links,
    instance_secrets,
    meetings,
    meeting_exceptions,
    meeting_changes,
    rsvps,
    attendance,
    meeting_imports,
    meeting_occurrences,
    readiness_probe,
);
