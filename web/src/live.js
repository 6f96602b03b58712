// Push from the server (SignalR hub at hubs/site, relative to the site) with automatic reconnection.
// While the hub is unreachable the page polls, so a follower never sits on stale data silently.
import { HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
import { accessToken } from './session.js';

const POLL_MS = 60_000;

export class LiveFeed {
  constructor({ onData, onAlarm, onClear, onState, onResync }) {
    this.handlers = { onData, onAlarm, onClear, onState, onResync };
    this.connection = null;
    this.pollTimer = null;
    this.stopped = false;
  }

  async start() {
    this.connection = new HubConnectionBuilder()
      .withUrl(new URL('hubs/site', location.href).toString(), {
        transport: HttpTransportType.WebSockets,
        skipNegotiation: true,
        accessTokenFactory: () => accessToken(),
      })
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(30_000, 1000 * 2 ** Math.min(ctx.previousRetryCount, 5)) })
      .configureLogging(LogLevel.None)
      .build();
    this.connection.on('dataUpdate', delta => this.handlers.onData(delta));
    this.connection.on('alarm', notice => this.handlers.onAlarm(notice));
    this.connection.on('urgent_alarm', notice => this.handlers.onAlarm(notice));
    this.connection.on('clear_alarm', notice => this.handlers.onClear(notice));
    this.connection.on('announcement', notice => this.handlers.onAlarm({ ...notice, level: 0 }));
    this.connection.onreconnecting(() => this.setState('reconnecting'));
    this.connection.onreconnected(() => { this.setState('live'); this.handlers.onResync(); });
    this.connection.onclose(() => { if (!this.stopped) this.retryLater(); });
    await this.connect();
  }

  async connect() {
    try {
      await this.connection.start();
      this.stopPolling();
      this.setState('live');
      this.handlers.onResync();
    } catch {
      this.retryLater();
    }
  }

  retryLater() {
    this.setState('polling');
    this.startPolling();
    setTimeout(() => { if (!this.stopped && this.connection.state === 'Disconnected') this.connect(); }, 10_000);
  }

  startPolling() {
    if (!this.pollTimer) this.pollTimer = setInterval(() => this.handlers.onResync(), POLL_MS);
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  setState(state) {
    this.handlers.onState(state);
  }

  /** Acknowledges through the hub: true or false (not permitted), or null when not connected (use HTTP). */
  async ack(level, group, silenceMs) {
    if (this.connection?.state !== 'Connected') return null;
    return this.connection.invoke('Ack', level, group, silenceMs);
  }

  async stop() {
    this.stopped = true;
    this.stopPolling();
    await this.connection?.stop();
  }
}
