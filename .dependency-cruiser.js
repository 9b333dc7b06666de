// The layering of src/ as a rule (`npm run deps`): entry -> http -> delivery -> ports <- adapters/objects,
// everything -> core; config and the leaf utilities log.ts and runtime.ts below all but core. Type-only
// imports count. A new folder under src/ must be given a layer here.

/** Leaf utilities at the top of src/ that any layer above core may import. */
const LEAVES = String.raw`^src/(log|runtime)\.ts$`;

/**
 * A rule: modules under src/<folder>/ import only their own folder and the `allowed` folders of src/,
 * plus the leaf utilities unless `leaves` is false.
 */
function layer(name, folder, allowed, comment, { leaves = true } = {}) {
  const into = String.raw`^src/(${[folder, ...allowed].join("|")})/`;
  return { name, severity: "error", comment, from: { path: `^src/${folder}/` }, to: { path: "^src/", pathNot: leaves ? [into, LEAVES] : [into] } };
}

export default {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import circle: the modules in it can only be understood (and tested) together.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    layer("core-imports-only-core", "core", [], "core/ is pure and sits below everything: it imports core/ only (not even log.ts or runtime.ts).", { leaves: false }),
    {
      name: "core-not-platform",
      severity: "error",
      comment: "core/ is pure: no hono, no cloudflare:* modules.",
      from: { path: "^src/core/" },
      to: { path: ["^cloudflare:", "^hono($|/)", "(^|/)node_modules/hono/"] },
    },
    {
      name: "leaves-import-nothing",
      severity: "error",
      comment: "log.ts and runtime.ts are leaf utilities that any layer may import, so they import nothing of src/.",
      from: { path: LEAVES },
      to: { path: "^src/" },
    },
    layer("config-imports-only-core", "config", ["core"], "config/ is imported by every layer, so it imports only core/ (and the leaves)."),
    layer(
      "ports-import-only-core-config",
      "ports",
      ["core", "config"],
      "ports/ holds the interfaces and types shared by objects, adapters and their clients: it imports only core/ and config/.",
    ),
    layer(
      "adapters-below-use-cases",
      "adapters",
      ["ports", "core", "config"],
      "adapters/ implement ports/: they import ports/, core/, config/ and the leaves, never delivery/, http/, objects/ or the entry.",
    ),
    layer(
      "objects-below-use-cases",
      "objects",
      ["ports", "core", "config"],
      "Durable Objects keep state and alarms: they import ports/, core/, config/ and the leaves, never delivery/, http/, adapters/ or the entry.",
    ),
    layer(
      "delivery-through-ports",
      "delivery",
      ["ports", "core", "config"],
      "The use cases reach storage, queues and objects through ports/ only: never http/, adapters/, objects/ or the entry (env.ts included).",
    ),
    layer(
      "http-through-delivery",
      "http",
      ["delivery", "ports", "core", "config"],
      "Routes call the use cases in delivery/ and the ports they are handed: never adapters/, objects/ or the entry.",
    ),
    {
      name: "admin-docs-build-time-only",
      severity: "error",
      comment:
        "src/http/admin/docs/ (the admin routes' prose, answer schemas and the OpenAPI generator) is read at build time (scripts/openapi.ts) and by tests: the Worker may import it as types only, so none of it ships.",
      from: { path: "^src/", pathNot: "^src/http/admin/docs/" },
      to: { path: "^src/http/admin/docs/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "known-layers-only",
      severity: "error",
      comment: "Every folder under src/ belongs to a layer: add a new one to .dependency-cruiser.js before using it.",
      from: { path: "^src/[^/]+/", pathNot: String.raw`^src/(core|config|ports|adapters|objects|delivery|http)/` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports are dependencies too: a type shared upward ties the layers as much as a value.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"] },
    builtInModules: { add: ["cloudflare:workers", "cloudflare:test", "cloudflare:email", "cloudflare:sockets"] },
  },
};
