// Starts Swagger UI on the gateway's own document. Served as a file (not inline) so that the page's
// Content-Security-Policy allows scripts from the gateway only.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
