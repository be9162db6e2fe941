// Starts GraphiQL against this server's /graphql (same origin: the page's Content-Security-Policy
// allows no other). An API key or member token goes in the Headers tab:
// {"Authorization": "Bearer ..."}.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + "/graphql" });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      defaultQuery:
        "# Welcome to Kinship. Press the run button (or Ctrl-Enter).\n" +
        "# An API key goes in Headers: {\"Authorization\": \"Bearer kinship_...\"}\n" +
        "{\n  meetings(first: 5) {\n    edges {\n      node { name group { name } }\n      nextOccurrence { start }\n    }\n  }\n}\n",
    })
  );
})();
