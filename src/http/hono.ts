// New Hono apps with the trie router alone: the router hono's default SmartRouter settles on for these
// routes anyway (its RegExpRouter refuses `/admin/dlq/replay` beside `/admin/dlq/:id`), minus 2 KiB gzip.
import type { Env, Hono } from "hono";
import { HonoBase } from "hono/hono-base";
import { TrieRouter } from "hono/router/trie-router";

export function newHono<E extends Env>(): Hono<E> {
  return new HonoBase<E>({ router: new TrieRouter() });
}
