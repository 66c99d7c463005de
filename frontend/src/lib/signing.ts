// SigV4 for the API's IAM-protected routes (POST /events): the same signature a device computes
// with botocore, here with aws4fetch (service execute-api). Under `gen dev` the credentials are
// its local key pair from /config.json; a deployment hands the dashboard no AWS credentials, so
// there the form says so instead of sending an unsigned request (403).
import { AwsClient } from "aws4fetch";
import type { SigningConfig } from "../config";

export type RequestSigner = (request: Request) => Promise<Request>;

export class SigningUnavailable extends Error {
  override name = "SigningUnavailable";
}

/** A signer with `config`'s credentials, or one that refuses (no credentials in this deployment). */
export function createSigner(config: SigningConfig | undefined): RequestSigner {
  if (!config) {
    return async () => {
      throw new SigningUnavailable(
        "this deployment gives the dashboard no AWS credentials to sign POST /events with (devices sign with their own)",
      );
    };
  }
  const aws = new AwsClient({
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    region: config.region,
    service: "execute-api",
  });
  return async (request) => {
    // The body as bytes, read once: the signer hashes it and the signed request carries it.
    const body = request.body === null ? undefined : new Uint8Array(await request.clone().arrayBuffer());
    return aws.sign(request.url, { method: request.method, headers: request.headers, body, signal: request.signal });
  };
}
