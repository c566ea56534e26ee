import type { Config } from '../config.ts'

// Releases after January 2027 need Node 22; on Node 20 the SDK would print this on every client.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

export type AwsConfig = Pick<
  Config,
  'AWS_REGION' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY' | 'AWS_ENDPOINT_URL'
>

/**
 * Options every AWS SDK client of the app shares: the region, the endpoint override (moto,
 * LocalStack) and explicit keys when set — otherwise the SDK's default chain (instance role, …).
 */
export function awsClientConfig(config: AwsConfig) {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = config
  return {
    region: config.AWS_REGION,
    ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  }
}
