//! `GET /reference/meetings-soon`: the load test's reference handler. It answers the benchmark's
//! query (a), "meetings near a point starting in the next two hours, first 20, with group name,
//! types and next occurrence", with the same search and SQL as `meetings(filter:)` but as
//! plain JSON without GraphQL, to measure what the GraphQL layer costs. Anonymous scope (public
//! meetings only). Served only with `KINSHIP_BENCH_REFERENCE=true`.

use crate::server::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use kinship_schema::StoredEnum as _;
use kinship_schema::groups::model::GroupScope;
use kinship_schema::meetings::search::{self, MeetingSearch};
use kinship_schema::meetings::{MeetingOrder, MeetingTypeInfo, Occurrence};
use kinship_schema::relay::{NodeKind, global_id};
use serde_json::json;
use std::collections::HashMap;

/// Query parameters.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeetingsSoon {
    latitude: f64,
    longitude: f64,
    radius_km: f64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    first: Option<usize>,
}

/// `GET /reference/meetings-soon?latitude=&longitude=&radiusKm=&from=&to=[&first=]`.
pub async fn meetings_soon(
    params: web::Query<MeetingsSoon>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let p = params.into_inner();
    let first = p.first.unwrap_or(20).min(100);
    let wanted = MeetingSearch {
        near: Some((p.latitude, p.longitude, p.radius_km.clamp(0.0, 500.0))),
        starts_between: Some((p.from, p.to)),
        ..MeetingSearch::default()
    };
    let scope = GroupScope {
        organization_id: None,
        member_id: None,
    };
    let request = search::PageRequest {
        order: MeetingOrder::NextOccurrence,
        nearest: None,
        after: None,
        limit: first,
        count_total: true,
    };
    let clock = search::Clock {
        now: Utc::now(),
        horizon: state.horizon.until(),
    };
    let result = state
        .db
        .run(move |conn| {
            let found = search::page(conn, scope, &wanted, &request, clock)?;
            let groups: HashMap<_, _> = search::groups_of(conn, &found)?
                .into_iter()
                .map(|g| (g.id, g.name))
                .collect();
            let page: Vec<search::Found> = found.rows.into_iter().map(|(_, f)| f).collect();
            Ok((found.total, page, groups))
        })
        .await;
    let (total, page, groups) = match result {
        Ok(found) => found,
        Err(e) => {
            return HttpResponse::ServiceUnavailable()
                .json(json!({ "error": e.message(), "code": e.code() }));
        }
    };
    let edges: Vec<_> = page
        .into_iter()
        .map(|f| {
            let types: Vec<_> = MeetingTypeInfo::of_meeting(&f.row)
                .into_iter()
                .map(|t| json!({ "code": t.code, "name": t.name }))
                .collect();
            let distance_km = f.distance_km_shown();
            let next = f.next.map(|planned| {
                let occurrence = Occurrence::of(&f.row, planned);
                json!({ "start": occurrence.start.to_rfc3339(), "localStart": occurrence.local_start })
            });
            json!({
                "distanceKm": distance_km,
                "nextOccurrence": next,
                "node": {
                    "id": global_id(NodeKind::Meeting, f.row.id).0,
                    "name": f.row.name,
                    "attendanceMode": f.row.attendance_mode.as_str(),
                    "types": types,
                    "group": { "name": groups.get(&f.row.group_id) },
                },
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({ "totalCount": total, "edges": edges }))
}
