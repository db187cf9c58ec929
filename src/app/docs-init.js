// Starts Swagger UI on /docs (served as /docs/init.js beside the kiosk, so the page needs no inline script).
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
