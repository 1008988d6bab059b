import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear: credentials never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hubspot-signature-v3"]',
  'req.headers["x-hub-signature-256"]',
  'headers.authorization',
  'headers.Authorization',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.token',
  '*.clientSecret',
  '*.client_secret',
  '*.appSecret',
  '*.password',
  '*.encryptionKey',
  'accessToken',
  'access_token',
  'refresh_token',
  'refreshToken',
  'token',
  'config.hubspot.clientSecret',
  'config.whatsapp.appSecret',
  'config.whatsapp.verifyToken',
  'config.encryptionKey',
];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'whatsapp-for-hubspot' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
