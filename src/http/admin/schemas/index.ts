// The admin API's wire shapes as zod schemas (docs/contract.md §4), one file per admin area. Request
// schemas validate input; response schemas document output (and are checked against real answers in
// tests). Named ones become OpenAPI components, in the order these modules register them.
export * from "./common";
export * from "./dead-letters";
export * from "./endpoints";
export * from "./stats";
export * from "./silences";
export * from "./openapi";
export * from "./lifecycle";
export * from "./audit";
