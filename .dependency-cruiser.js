// The layering of src/ as a rule (`npm run deps`): entry -> http -> delivery -> ports <- adapters/objects,
// everything -> core; config and the leaf utilities log.ts and runtime.ts below all but core. Type-only
// imports count. A new folder under src/ must be given a layer here.

/** Leaf utilities at the top of src/ that any layer above core may import. */
const LEAVES = String.raw`^src/(log|runtime)\.ts$`;

/** `pathNot` for a layer that may import only the given folders of src/ (plus the leaves). */
function onlyInto(folders, { leaves = true } = {}) {
  const into = String.raw`^src/(${folders.join("|")})/`;
  return leaves ? [into, LEAVES] : [into];
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
    {
      name: "core-imports-only-core",
      severity: "error",
      comment: "core/ is pure and sits below everything: it imports core/ only (not even log.ts or runtime.ts).",
      from: { path: "^src/core/" },
      to: { path: "^src/", pathNot: onlyInto(["core"], { leaves: false }) },
    },
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
    {
      name: "config-imports-only-core",
      severity: "error",
      comment: "config/ is imported by every layer, so it imports only core/ (and the leaves).",
      from: { path: "^src/config/" },
      to: { path: "^src/", pathNot: onlyInto(["config", "core"]) },
    },
    {
      name: "ports-import-only-core-config",
      severity: "error",
      comment: "ports/ holds the interfaces and types shared by objects, adapters and their clients: it imports only core/ and config/.",
      from: { path: "^src/ports/" },
      to: { path: "^src/", pathNot: onlyInto(["ports", "core", "config"]) },
    },
    {
      name: "adapters-below-use-cases",
      severity: "error",
      comment: "adapters/ implement ports/: they import ports/, core/, config/ and the leaves, never delivery/, http/, objects/ or the entry.",
      from: { path: "^src/adapters/" },
      to: { path: "^src/", pathNot: onlyInto(["adapters", "ports", "core", "config"]) },
    },
    {
      name: "objects-below-use-cases",
      severity: "error",
      comment: "Durable Objects keep state and alarms: they import ports/, core/, config/ and the leaves, never delivery/, http/, adapters/ or the entry.",
      from: { path: "^src/objects/" },
      to: { path: "^src/", pathNot: onlyInto(["objects", "ports", "core", "config"]) },
    },
    {
      name: "delivery-through-ports",
      severity: "error",
      comment: "The use cases reach storage, queues and objects through ports/ only: never http/, adapters/, objects/ or the entry (env.ts included).",
      from: { path: "^src/delivery/" },
      to: { path: "^src/", pathNot: onlyInto(["delivery", "ports", "core", "config"]) },
    },
    {
      name: "http-through-delivery",
      severity: "error",
      comment: "Routes call the use cases in delivery/ and the ports they are handed: never adapters/, objects/ or the entry.",
      from: { path: "^src/http/" },
      to: { path: "^src/", pathNot: onlyInto(["http", "delivery", "ports", "core", "config"]) },
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
    reporterOptions: { text: { highlightFocused: true } },
  },
};
