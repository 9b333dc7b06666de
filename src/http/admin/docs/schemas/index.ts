// The admin API's answers as zod schemas (docs/contract.md §4), one file per admin area: they document
// the output (and tests check real answers against them); handlers use them as types only. Named ones
// become OpenAPI components, in the order these modules register them.
import "./requests";

export * from "./common";
export * from "./dead-letters";
export * from "./endpoints";
export * from "./stats";
export * from "./silences";
export * from "./openapi";
export * from "./lifecycle";
export * from "./audit";
