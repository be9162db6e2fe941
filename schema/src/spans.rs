//! Tracing spans for GraphQL requests: one for validation and one for execution, named by the
//! operation. They never carry the query text, its variables or results, and there is no span
//! per field. async-graphql's own `Tracing` extension opens one for every resolved field, which
//! cost a quarter of the server's time under load (BENCHMARKS.md), and its `parse` span recorded
//! the query with its variables inlined.

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextValidation,
};
use async_graphql::{Response, ServerError, ValidationResult};
use std::sync::Arc;
use tracing::Instrument as _;

/// The extension: add it to the schema once.
pub struct RequestSpans;

impl ExtensionFactory for RequestSpans {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestSpans)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for RequestSpans {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx)
            .instrument(tracing::info_span!(target: "kinship::graphql", "validation"))
            .await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let span = tracing::info_span!(
            target: "kinship::graphql",
            "execute",
            operation = operation_name.unwrap_or("anonymous"),
        );
        next.run(ctx, operation_name).instrument(span).await
    }
}
