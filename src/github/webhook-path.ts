/** Where Jasper takes GitHub's webhooks: the route serves it, the App's manifest names it. */
export const WEBHOOK_PATH = "/api/github/webhooks";
