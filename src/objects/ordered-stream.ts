// Durable Object, one per (ordered route, ordering key): stores each accepted event in SQLite under
// the key's next sequence number before the producer's 202, delivers the head one at a time from its
// single alarm, and on a dead letter moves on or holds the key. Schema and guarantees: docs/ordering.md.
import { DurableObject } from "cloudflare:workers";
import { parseEnvelope, type Envelope } from "../core/envelope";
import type { DeadLetterReason } from "../core/dead-letter";
import type { AcceptRequest, AcceptResult, OrderedHeadStep, OrderedStreamRpc, ReleaseResult, ReplayResult, StreamSettings, StreamStatus } from "../ports/ordering";
import { errorMessage, log } from "../log";

type EventRow = {
  seq: number;
  id: string;
  envelope: string;
  body: ArrayBuffer | null;
  state: string;
  attempt: number;
  next_at: number;
  last_status: number | null;
  last_error: string | null;
  dead_reason: string | null;
};

/** Events delivered by one alarm invocation before it hands over to a fresh one. */
const MAX_PER_ALARM = 500;
const ALARM_BUDGET_MS = 25_000;
/** An attempt still marked `delivering` this long after its timeout was cut off (the object restarted). */
const WATCHDOG_MARGIN_MS = 30_000;
const STORE_RETRY_MS = 5_000;
/** Ids of finished events remembered so a repeated accept of the same message id is a duplicate. */
const RECENT_KEEP = 256;

/**
 * The stream's storage and alarm; what delivering the head means is the use case `headStep()`
 * returns, given by the Worker's entry (the object never imports delivery code).
 */
export abstract class OrderedStreamObject<E = unknown> extends DurableObject<E> implements OrderedStreamRpc {
  private readonly sql: SqlStorage;
  /** In-memory half of the "delivering" guard: requests interleave while the head awaits its fetch. */
  private running = false;
  /** The alarm as last set by this instance; undefined until known. */
  private alarmAt: number | null | undefined = undefined;
  private settingsJson: string | null;

  /** The delivery use case for this invocation (built from the object's bindings). */
  protected abstract headStep(): OrderedHeadStep;

  constructor(ctx: DurableObjectState, env: E) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS events (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, envelope TEXT NOT NULL, body BLOB,
      state TEXT NOT NULL, attempt INTEGER NOT NULL, next_at INTEGER NOT NULL,
      last_status INTEGER, last_error TEXT, dead_reason TEXT)`);
    this.sql.exec("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS recent (id TEXT PRIMARY KEY, seq INTEGER NOT NULL)");
    this.settingsJson = this.meta("settings");
  }

  /** Durable accept, idempotent by message id: resolves once the event is stored with its sequence. */
  async accept(req: AcceptRequest): Promise<AcceptResult> {
    const envelope = checked(req.envelope);
    const known = this.sql.exec<{ seq: number }>("SELECT seq FROM events WHERE id = ? UNION ALL SELECT seq FROM recent WHERE id = ?", envelope.id, envelope.id).toArray()[0];
    if (known !== undefined) return { sequence: known.seq, duplicate: true };
    this.identify(envelope.route, req.key);
    const json = JSON.stringify(req.settings);
    if (json !== this.settingsJson) {
      this.setMeta("settings", json);
      this.settingsJson = json;
    }
    const seq = this.allocate();
    this.insert(seq, { ...envelope, ordering: { key: req.key, sequence: seq } });
    await this.schedule();
    return { sequence: seq, duplicate: false };
  }

  /** A dead letter of this key replayed by an operator: a blocked head resumes; otherwise it is re-queued under its sequence. */
  async replay(input: Envelope): Promise<ReplayResult> {
    const envelope = checked(input);
    if (envelope.ordering === null) throw new Error("replay: the dead letter has no ordering key");
    this.identify(envelope.route, envelope.ordering.key);
    const row = this.sql.exec<{ seq: number; state: string }>("SELECT seq, state FROM events WHERE id = ?", envelope.id).toArray()[0];
    if (row !== undefined && row.state !== "blocked") return { sequence: row.seq, outcome: "already_pending" };
    let seq: number;
    if (row !== undefined) {
      seq = row.seq;
      this.sql.exec("UPDATE events SET state = 'pending', attempt = 0, next_at = ?, last_status = NULL, last_error = NULL, dead_reason = NULL WHERE seq = ?", Date.now(), seq);
    } else {
      const wanted = envelope.ordering.sequence;
      const taken = this.sql.exec("SELECT 1 FROM events WHERE seq = ?", wanted).toArray().length > 0;
      seq = taken ? this.allocate() : wanted;
      if (seq >= this.nextSequence()) this.setMeta("next_seq", String(seq + 1));
      this.sql.exec("DELETE FROM recent WHERE id = ?", envelope.id);
      this.insert(seq, { ...envelope, attempt: 0, last_status: null, last_error: null, ordering: { key: envelope.ordering.key, sequence: seq } });
    }
    log("info", "ordered_replay", { message_id: envelope.id, route: envelope.route, sequence: seq, outcome: row === undefined ? "queued" : "resumed" });
    await this.schedule();
    return { sequence: seq, outcome: row === undefined ? "queued" : "resumed" };
  }

  /** The dead letter `id` was deleted by an operator: when the key is blocked on it, the key moves on. */
  async deadLetterDeleted(id: string): Promise<ReleaseResult> {
    const row = this.sql.exec<{ seq: number }>("SELECT seq FROM events WHERE id = ? AND state = 'blocked'", id).toArray()[0];
    if (row === undefined) return { released: false };
    this.finish(row.seq, id);
    log("info", "ordered_released", { message_id: id, sequence: row.seq });
    await this.schedule();
    return { released: true };
  }

  async status(): Promise<StreamStatus> {
    const head = this.head();
    const pending = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events").one().n;
    return {
      route: this.meta("route"),
      key: this.meta("key"),
      nextSequence: this.nextSequence(),
      pending,
      blocked: head?.state === "blocked",
      alarm: await this.ctx.storage.getAlarm(),
      head: head === undefined ? null : { sequence: head.seq, id: head.id, state: head.state, attempt: head.attempt, nextAt: head.next_at },
    };
  }

  /** Delivers due head events one after another, then leaves exactly one alarm (or none when idle or blocked). */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    if (this.running) return; // the running loop schedules the next alarm when it ends
    this.running = true;
    const step = this.headStep();
    try {
      const started = Date.now();
      // A watchdog for the whole loop: should this instance die mid-delivery, a fresh one picks the head up.
      await this.setAlarm(started + ALARM_BUDGET_MS + WATCHDOG_MARGIN_MS);
      for (let n = 0; n < MAX_PER_ALARM && Date.now() - started < ALARM_BUDGET_MS; n++) {
        const head = this.head();
        if (head === undefined || head.state === "blocked" || head.next_at > Date.now()) break;
        await this.step(step, head).catch((error: unknown) => {
          log("error", "ordered_step_failed", { message_id: head.id, sequence: head.seq, error: errorMessage(error) });
          this.sql.exec("UPDATE events SET state = CASE state WHEN 'delivering' THEN 'pending' ELSE state END, next_at = ? WHERE seq = ?", Date.now() + STORE_RETRY_MS, head.seq);
        });
      }
    } finally {
      this.running = false;
    }
    await this.schedule();
    // This alarm's delivery outcomes reach the endpoint guard now (stats, backlog).
    await step.flush().catch(() => undefined);
  }

  private async step(step: OrderedHeadStep, row: EventRow): Promise<void> {
    const envelope = this.envelopeOf(row);
    const settings = this.settings();
    if (row.state === "dead") return this.deadLetter(step, row.seq);
    // Persisted half of the guard: the attempt is counted before the call and the row carries a
    // deadline, so an instance that dies mid-fetch leaves a head that is retried, never skipped.
    const watchdog = Date.now() + step.timeoutMs(envelope, settings) + WATCHDOG_MARGIN_MS;
    this.sql.exec("UPDATE events SET state = 'delivering', attempt = attempt + 1, next_at = ? WHERE seq = ?", watchdog, row.seq);
    const outcome = await step.deliver(envelope, settings);
    switch (outcome.kind) {
      case "delivered":
        this.finish(row.seq, row.id);
        await step.delivered(envelope);
        return;
      case "later":
        this.sql.exec(
          "UPDATE events SET state = 'pending', attempt = ?, next_at = ?, last_status = ?, last_error = ? WHERE seq = ?",
          outcome.attempt,
          outcome.at,
          outcome.lastStatus,
          outcome.lastError,
          row.seq,
        );
        return;
      case "config_wait":
        this.sql.exec("UPDATE events SET state = 'pending', attempt = ?, next_at = ? WHERE seq = ?", row.attempt, outcome.at, row.seq);
        return;
      case "dead":
        this.markDead(row.seq, outcome.reason, outcome.attempts, outcome.lastStatus, outcome.lastError);
        return this.deadLetter(step, row.seq);
    }
  }

  private markDead(seq: number, reason: DeadLetterReason, attempts: number, lastStatus: number | null, lastError: string | null): void {
    this.sql.exec(
      "UPDATE events SET state = 'dead', dead_reason = ?, attempt = ?, last_status = ?, last_error = ?, next_at = ? WHERE seq = ?",
      reason,
      attempts,
      lastStatus,
      lastError,
      Date.now(),
      seq,
    );
  }

  /** Has the head's dead letter written (with its sequence); only then moves on or holds the key. */
  private async deadLetter(step: OrderedHeadStep, seq: number): Promise<void> {
    const row = this.sql.exec<EventRow>("SELECT * FROM events WHERE seq = ? AND state = 'dead'", seq).toArray()[0];
    if (row === undefined) return;
    const envelope = this.envelopeOf(row);
    const reason = (row.dead_reason ?? "exhausted") as DeadLetterReason;
    const written = await step.deadLetter(envelope, { reason, attempts: row.attempt, lastStatus: row.last_status, lastError: row.last_error }, this.settings());
    if (!written.ok) {
      this.sql.exec("UPDATE events SET next_at = ? WHERE seq = ? AND state = 'dead'", Date.now() + STORE_RETRY_MS, seq);
      return;
    }
    if (written.onFailure === "block") this.sql.exec("UPDATE events SET state = 'blocked' WHERE seq = ? AND state = 'dead'", seq);
    else this.finish(seq, row.id);
  }

  /** Removes a finished event's row and remembers its id (bounded) for accept idempotency. */
  private finish(seq: number, id: string): void {
    this.sql.exec("DELETE FROM events WHERE seq = ?", seq);
    this.sql.exec("INSERT OR REPLACE INTO recent (id, seq) VALUES (?, ?)", id, seq);
    if (seq % 32 === 0) this.sql.exec("DELETE FROM recent WHERE seq NOT IN (SELECT seq FROM recent ORDER BY seq DESC LIMIT ?)", RECENT_KEEP);
  }

  /** Sets the one alarm to the head's due time, or removes it when there is nothing to do. */
  private async schedule(): Promise<void> {
    if (this.running) return;
    const head = this.head();
    const want = head === undefined || head.state === "blocked" ? null : head.next_at;
    if (want === this.alarmAt) return;
    if (want === null) {
      await this.ctx.storage.deleteAlarm();
      this.alarmAt = null;
    } else {
      await this.setAlarm(want);
    }
  }

  private async setAlarm(at: number): Promise<void> {
    await this.ctx.storage.setAlarm(at);
    this.alarmAt = at;
  }

  private head(): EventRow | undefined {
    return this.sql.exec<EventRow>("SELECT * FROM events ORDER BY seq LIMIT 1").toArray()[0];
  }

  private insert(seq: number, envelope: Envelope): void {
    const { body, ...rest } = envelope;
    const stored = JSON.stringify({ ...rest, body: body.kind === "inline" ? { kind: "inline" } : body });
    const blob = body.kind === "inline" ? body.bytes.slice().buffer : null;
    this.sql.exec(
      "INSERT INTO events (seq, id, envelope, body, state, attempt, next_at, last_status, last_error) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
      seq,
      envelope.id,
      stored,
      blob,
      envelope.attempt,
      Date.now(),
      envelope.last_status,
      envelope.last_error,
    );
  }

  private envelopeOf(row: EventRow): Envelope {
    const raw = JSON.parse(row.envelope) as Record<string, unknown>;
    const inline = (raw["body"] as { kind?: unknown } | undefined)?.kind === "inline";
    return checked({
      ...raw,
      body: inline ? { kind: "inline", bytes: new Uint8Array(row.body ?? new ArrayBuffer(0)) } : raw["body"],
      attempt: row.attempt,
      last_status: row.last_status,
      last_error: row.last_error,
    });
  }

  private settings(): StreamSettings | null {
    return this.settingsJson === null ? null : (JSON.parse(this.settingsJson) as StreamSettings);
  }

  private identify(route: string, key: string): void {
    if (this.meta("key") === null) {
      this.setMeta("route", route);
      this.setMeta("key", key);
    }
  }

  private allocate(): number {
    const seq = this.nextSequence();
    this.setMeta("next_seq", String(seq + 1));
    return seq;
  }

  private nextSequence(): number {
    return Number(this.meta("next_seq") ?? "1");
  }

  private meta(k: string): string | null {
    return this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0]?.v ?? null;
  }

  private setMeta(k: string, v: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", k, v);
  }
}

function checked(value: unknown): Envelope {
  const parsed = parseEnvelope(value);
  if (!parsed.ok) throw new Error(`ordered stream: invalid envelope (${parsed.problem})`);
  return parsed.envelope;
}
