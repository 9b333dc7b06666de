export default {
  async fetch(): Promise<Response> {
    return new Response("ok");
  },
} satisfies ExportedHandler;
export class IdempotencyShard {}
export class EndpointGuard {}
export class OrderedStream {}
export class SourceRateLimiter {}
