// Test key material for the presets that need more than a text secret: Ed25519 seeds (Discord) and
// P-256 key pairs (SendGrid), each with the public key a source binding holds, and base64 HMAC keys
// (Airtable) and hex ones (Adyen). Generated once with node:crypto; test-only keys, never used anywhere else.

/** [private (producer), public (binding)] per secret number 1..3. */
const KEYS: Record<string, readonly (readonly [string, string])[]> = {
  discord: [
    ["01".repeat(32), "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"],
    ["02".repeat(32), "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394"],
    ["03".repeat(32), "ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1"],
  ],
  sendgrid: [
    [
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgEoXr/5wRK4ESBs+Ymf4vCt8jysvtUwqisLAhyalERbuhRANCAASGzkvk/iWH6uPlunmbw9QOLYs6hPM8OOaiMc+VTFEFSKEu6phiJoyqmiDyCtBxmzjqa+FOW5FidChON3ndul+r",
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhs5L5P4lh+rj5bp5m8PUDi2LOoTzPDjmojHPlUxRBUihLuqYYiaMqpog8grQcZs46mvhTluRYnQoTjd53bpfqw==",
    ],
    [
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfGy6lg4gwjlKtkvneLuVvgMATbh5+bjWfBXVJ+M6K4ahRANCAARaHN6cCwc8CFnuSJ+jPXHcFi+CHI9qBFm3ZXdFlJL5CUAwB3zpSV97SAhJ00SFHklOjO6Kov1HKolzGwhT8UPT",
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWhzenAsHPAhZ7kifoz1x3BYvghyPagRZt2V3RZSS+QlAMAd86Ulfe0gISdNEhR5JTozuiqL9RyqJcxsIU/FD0w==",
    ],
    [
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/0aqXN76NpgMfbSQzeSAdNIT2C7lGGewhtKkZLucU2WhRANCAAR+f+rZt+sIj+Lu+AGwKV6+uaX5C0RQ3Ae5nujdjpUlbr6SDQhFlYvKro+ywO+ftjJAI7tIIn42hBfeWB/KKR+p",
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfn/q2bfrCI/i7vgBsClevrml+QtEUNwHuZ7o3Y6VJW6+kg0IRZWLyq6PssDvn7YyQCO7SCJ+NoQX3lgfyikfqQ==",
    ],
  ],
};

/** The producer's signing secret and the source binding's value for secret number `n` of `scheme`. */
export function presetKeys(scheme: string, n: number): { signing: string; binding: string } | undefined {
  const pair = KEYS[scheme]?.[n - 1];
  if (pair !== undefined) return { signing: pair[0], binding: pair[1] };
  if (scheme === "adyen") {
    const key = `0${n}`.repeat(32); // Adyen HMAC keys are hex
    return { signing: key, binding: key };
  }
  if (scheme === "airtable") {
    const key = btoa(`airtable-mac-secret-number-${n}!`);
    return { signing: key, binding: key };
  }
  return undefined;
}
