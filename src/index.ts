/**
 * What a backend embeds (the package's main entry, `offiaccount-common`): the function as a
 * server of its own, or its configuration and services to mount elsewhere. The browser SDK is
 * `offiaccount-common/web`, the emulator `offiaccount-common/emulator`.
 */
export { startFunction, type RunningFunction, type StartOptions } from './server.js';
export { loadConfig, ConfigError, type Config, type LoadOptions, type AuthMode, type Mode, type TokenSource } from './config.js';
export { composeServices, type Composed, type ComposeOptions } from './compose.js';
export { createApp, type AppOptions } from './function/app.js';
export { createLogger, type Logger, type LoggerOptions } from './log.js';
export { systemClock, ManualClock, OffsetClock, type Clock } from './clock.js';
export { VERSION } from './version.js';
