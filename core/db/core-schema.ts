import type { Migration } from './migrations.js';

/** The host's own tables. Plugins own theirs, through the plugin API's migration helper. */
export const coreMigrations: Migration[] = [
  {
    version: 1,
    name: 'options, users, sessions, sites',
    up(db) {
      db.exec(`
        CREATE TABLE site_options (
          name TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
        CREATE TABLE users (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          login TEXT NOT NULL UNIQUE COLLATE NOCASE,
          email TEXT NOT NULL UNIQUE COLLATE NOCASE,
          display_name TEXT NOT NULL,
          pass_hash TEXT NOT NULL,
          registered INTEGER NOT NULL
        );
        CREATE TABLE sessions (
          sid TEXT PRIMARY KEY,
          data TEXT NOT NULL,
          expires INTEGER NOT NULL
        );
        CREATE INDEX sessions_expires ON sessions (expires);
        CREATE TABLE sites (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          slug TEXT NOT NULL UNIQUE COLLATE NOCASE,
          title TEXT NOT NULL,
          admin_email TEXT NOT NULL,
          registered INTEGER NOT NULL,
          public INTEGER NOT NULL DEFAULT 1
        );
      `);
    },
  },
  {
    version: 2,
    name: 'scheduled events (cron)',
    up(db) {
      db.exec(`
        CREATE TABLE cron_events (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          hook TEXT NOT NULL,
          args TEXT NOT NULL,
          timestamp INTEGER NOT NULL,
          schedule TEXT,
          interval INTEGER
        );
        CREATE INDEX cron_events_due ON cron_events (timestamp);
        CREATE INDEX cron_events_hook ON cron_events (hook, args);
      `);
    },
  },
];
