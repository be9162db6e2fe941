//! Relay plumbing shared by every domain: opaque global ids, the `Node` interface with
//! `node`/`nodes`, and forward cursor connections with `totalCount`.

use crate::api_keys::ApiKey;
use crate::db::Id;
use crate::error::{ApiError, ApiResult};
use crate::groups::Group;
use crate::meetings::Meeting;
use crate::members::{Credential, Member};
use crate::memberships::Membership;
use crate::organizations::Organization;
use crate::support_links::SupportLink;
use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use async_graphql::{Context, ID, Interface, Object, SimpleObject};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Default page size of a connection when `first` is not given.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Largest `first` a connection accepts.
pub const MAX_PAGE_SIZE: usize = 100;
/// Most ids `nodes(ids:)` accepts at once.
pub const MAX_NODES: usize = 100;

/// The kinds of object that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// An [`Organization`].
    Organization,
    /// An [`ApiKey`].
    ApiKey,
    /// A [`Member`].
    Member,
    /// A [`Group`].
    Group,
    /// A [`Membership`].
    Membership,
    /// A [`SupportLink`].
    SupportLink,
    /// A [`Meeting`].
    Meeting,
    /// A [`Credential`].
    Credential,
}

impl NodeKind {
    const ALL: [NodeKind; 8] = [
        NodeKind::Organization,
        NodeKind::ApiKey,
        NodeKind::Member,
        NodeKind::Group,
        NodeKind::Membership,
        NodeKind::SupportLink,
        NodeKind::Meeting,
        NodeKind::Credential,
    ];

    fn tag(self) -> &'static str {
        match self {
            NodeKind::Organization => "Organization",
            NodeKind::ApiKey => "ApiKey",
            NodeKind::Member => "Member",
            NodeKind::Group => "Group",
            NodeKind::Membership => "Membership",
            NodeKind::SupportLink => "SupportLink",
            NodeKind::Meeting => "Meeting",
            NodeKind::Credential => "Credential",
        }
    }
}

/// Encodes a global id: the type tag and the UUID, base64url without padding.
pub fn global_id(kind: NodeKind, id: Id) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.tag(), id.0)))
}

/// Decodes any global id into its kind and row id; a malformed id is `BAD_USER_INPUT` for `field`.
pub fn decode_global_id(id: &ID, field: &str) -> ApiResult<(NodeKind, Id)> {
    let invalid = || ApiError::bad_input(field, "not a valid Kinship id");
    let text = URL_SAFE_NO_PAD
        .decode(id.as_str())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(invalid)?;
    let (tag, uuid) = text.split_once(':').ok_or_else(invalid)?;
    let kind = NodeKind::ALL
        .into_iter()
        .find(|k| k.tag() == tag)
        .ok_or_else(invalid)?;
    let uuid = uuid::Uuid::parse_str(uuid).map_err(|_| invalid())?;
    Ok((kind, Id(uuid)))
}

/// Decodes a global id that must be of `kind`; another kind is `BAD_USER_INPUT` for `field`.
pub fn decode_id_of(kind: NodeKind, id: &ID, field: &str) -> ApiResult<Id> {
    match decode_global_id(id, field)? {
        (found, row_id) if found == kind => Ok(row_id),
        _ => Err(ApiError::bad_input(
            field,
            format!("expected the id of a {}", kind.tag()),
        )),
    }
}

/// An object with a global id, fetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's global id."))]
// Nodes live for one response; boxing the large variants would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Node {
    /// An organization.
    Organization(Organization),
    /// An API key.
    ApiKey(ApiKey),
    /// A member.
    Member(Member),
    /// A support group.
    Group(Group),
    /// A membership.
    Membership(Membership),
    /// A support link.
    SupportLink(SupportLink),
    /// A meeting.
    Meeting(Meeting),
    /// A professional's credential.
    Credential(Credential),
}

/// Loads one node the caller may see, or `None`.
async fn load_node(ctx: &Context<'_>, id: &ID, field: &str) -> ApiResult<Option<Node>> {
    let (kind, row_id) = decode_global_id(id, field)?;
    Ok(match kind {
        NodeKind::Organization => Organization::load_visible(ctx, row_id)
            .await?
            .map(Node::Organization),
        NodeKind::ApiKey => ApiKey::load_visible(ctx, row_id).await?.map(Node::ApiKey),
        NodeKind::Member => Member::load_visible(ctx, row_id).await?.map(Node::Member),
        NodeKind::Group => Group::load_visible(ctx, row_id).await?.map(Node::Group),
        NodeKind::Membership => Membership::load_visible(ctx, row_id)
            .await?
            .map(Node::Membership),
        NodeKind::Meeting => Meeting::load_visible(ctx, row_id).await?.map(Node::Meeting),
        NodeKind::SupportLink => SupportLink::load_visible(ctx, row_id)
            .await?
            .map(Node::SupportLink),
        NodeKind::Credential => Credential::load_visible(ctx, row_id)
            .await?
            .map(Node::Credential),
    })
}

/// `node` and `nodes`, the Relay entry points.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any object by its global id; null when it does not exist or the caller may not
    /// see it.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The object's global id (its `id`).")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        Ok(load_node(ctx, &id, "id").await?)
    }

    /// Fetches up to 100 objects by global id, in the order given; null for each that does not
    /// exist or that the caller may not see. A malformed id fails the whole list (null, with a
    /// `BAD_USER_INPUT` error naming it).
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids, at most 100.")] ids: Vec<ID>,
    ) -> async_graphql::Result<Option<Vec<Option<Node>>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input("ids", format!("at most {MAX_NODES} ids")).into());
        }
        // Loaded together, so that the loaders fetch each kind in one batch.
        let loads = ids
            .iter()
            .enumerate()
            .map(|(index, id)| async move { load_node(ctx, id, &format!("ids.{index}")).await });
        Ok(Some(futures_util::future::try_join_all(loads).await?))
    }
}

/// An opaque cursor: the keyset position of an edge, serialized and base64url-encoded.
#[derive(Debug, Clone)]
pub struct Cursor<K>(pub K);

/// A cursor that this connection did not issue.
#[derive(Debug)]
pub struct InvalidCursor;

impl std::fmt::Display for InvalidCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a cursor returned by this connection")
    }
}

impl<K: Serialize + DeserializeOwned + Send + Sync> CursorType for Cursor<K> {
    type Error = InvalidCursor;

    fn decode_cursor(s: &str) -> Result<Self, InvalidCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| InvalidCursor)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| InvalidCursor)?;
        // A cursor is the caller's to forge: the strings in it reach SQL, so they obey the
        // rules of every string input.
        if !printable(&value) {
            return Err(InvalidCursor);
        }
        serde_json::from_value(value)
            .map(Cursor)
            .map_err(|_| InvalidCursor)
    }

    fn encode_cursor(&self) -> String {
        let json = serde_json::to_vec(&self.0).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }
}

/// Whether every string in `value` is one a string input may be (no control characters, at
/// most [`crate::limits::inputs::MAX_INPUT_CHARS`]).
fn printable(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => {
            text.chars().count() <= crate::limits::inputs::MAX_INPUT_CHARS
                && !text.chars().any(char::is_control)
        }
        serde_json::Value::Array(items) => items.iter().all(printable),
        serde_json::Value::Object(map) => map.values().all(printable),
        _ => true,
    }
}

/// Fields every connection carries besides edges and page info.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct ConnectionFields {
    /// How many objects match in all pages (computed only when asked for).
    pub total_count: i64,
}

/// A forward page request: how many rows and after which keyset position.
#[derive(Debug, Clone)]
pub struct Page<K> {
    /// Rows wanted (1 to 100).
    pub first: usize,
    /// The keyset position to continue after.
    pub after: Option<K>,
    /// Whether the client selected `totalCount`.
    pub count_total: bool,
}

impl<K: Serialize + DeserializeOwned + Send + Sync> Page<K> {
    /// Validates `first` (0 to 100, default 20) and decodes `after`.
    pub fn new(ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> ApiResult<Page<K>> {
        let first = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if (0..=MAX_PAGE_SIZE as i32).contains(&n) => n as usize,
            Some(_) => {
                return Err(ApiError::bad_input(
                    "first",
                    format!("must be between 0 and {MAX_PAGE_SIZE}"),
                ));
            }
        };
        let after = after
            .map(|c| Cursor::<K>::decode_cursor(&c).map(|c| c.0))
            .transpose()
            .map_err(|e| ApiError::bad_input("after", e.to_string()))?;
        let count_total = ctx.look_ahead().field("totalCount").exists();
        Ok(Page {
            first,
            after,
            count_total,
        })
    }

    /// How many rows to fetch: one more than asked, to learn whether a next page exists.
    pub fn limit(&self) -> i64 {
        self.first as i64 + 1
    }
}

impl Page<crate::db::Id> {
    /// The loader key of this page of `parent`'s children (`filter` as the query reads it).
    pub fn key(&self, parent: crate::db::Id, filter: u32) -> crate::loaders::PageKey {
        crate::loaders::PageKey {
            parent,
            limit: self.limit() as usize,
            after: self.after,
            filter,
            count: self.count_total,
        }
    }
}

/// A connection with `totalCount`, edges keyed by cursors of type `K`.
pub type RelayConnection<K, N> = Connection<Cursor<K>, N, ConnectionFields, EmptyFields>;

/// Builds a connection from up to `page.limit()` rows fetched after the page's cursor.
pub fn connection<K, R, N>(
    page: &Page<K>,
    mut rows: Vec<R>,
    total_count: i64,
    key: impl Fn(&R) -> K,
    node: impl Fn(R) -> N,
) -> RelayConnection<K, N>
where
    K: Serialize + DeserializeOwned + Send + Sync,
    N: async_graphql::OutputType,
{
    let has_next = rows.len() > page.first;
    rows.truncate(page.first);
    let mut connection = Connection::with_additional_fields(
        page.after.is_some(),
        has_next,
        ConnectionFields { total_count },
    );
    connection.edges.extend(
        rows.into_iter()
            .map(|row| Edge::new(Cursor(key(&row)), node(row))),
    );
    connection
}
