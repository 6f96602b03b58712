// Push from the server (SignalR hub at hubs/site, or hubs/clinic for a clinic's board, relative to
// the site) with automatic reconnection.
// While the hub is unreachable the page polls, so a follower never sits on stale data silently.
import { HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
import { accessToken } from './session.js';

const POLL_MS = 60_000;

export class LiveFeed {
  constructor({ hub = 'hubs/site', events, onData, onAlarm, onClear, onState, onResync }) {
    this.hub = hub;
    // A clinic board listens to its own events; a site page to the reference's.
    this.events = events ?? {
      dataUpdate: delta => onData(delta),
      alarm: notice => onAlarm(notice),
      urgent_alarm: notice => onAlarm(notice),
      clear_alarm: notice => onClear(notice),
      announcement: notice => onAlarm({ ...notice, level: 0 }),
    };
    this.handlers = { onState, onResync };
    this.connection = null;
    this.pollTimer = null;
    this.stopped = false;
  }

  async start() {
    this.connection = new HubConnectionBuilder()
      .withUrl(new URL(this.hub, location.href).toString(), {
        transport: HttpTransportType.WebSockets,
        skipNegotiation: true,
        accessTokenFactory: () => accessToken(),
      })
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(30_000, 1000 * 2 ** Math.min(ctx.previousRetryCount, 5)) })
      .configureLogging(LogLevel.None)
      .build();
    for (const [name, handler] of Object.entries(this.events)) this.connection.on(name, handler);
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
