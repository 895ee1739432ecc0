// /api/v1/docs: Swagger UI over the API's OpenAPI document (no inline script: the CSP).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
  });
})();
