// The admin API's request schemas (docs/contract.md §4), one file per admin area: they validate the
// input at run time. The answers' schemas and the OpenAPI component names are build-time only (../docs/).
export * from "./common";
export * from "./dead-letters";
export * from "./stats";
export * from "./silences";
export * from "./lifecycle";
export * from "./audit";
