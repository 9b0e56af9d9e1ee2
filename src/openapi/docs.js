// Starts Swagger UI on the /docs page. A separate file rather than an inline <script>, so the page
// keeps working under a Content-Security-Policy without 'unsafe-inline'.
"use strict";

window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
  layout: "BaseLayout",
  // The default would send the document to validator.swagger.io: no third-party requests from
  // this page (the document is validated by the test suite instead).
  validatorUrl: null,
});
