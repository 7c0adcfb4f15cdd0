import type { Db } from '../db/database.js';

/** Data layer of network options: JSON values keyed by name. */
export class OptionsStore {
  private readonly getStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT value FROM site_options WHERE name = ?');
    this.insertStmt = db.prepare('INSERT OR IGNORE INTO site_options (name, value) VALUES (?, ?)');
    this.updateStmt = db.prepare('UPDATE site_options SET value = ? WHERE name = ?');
    this.deleteStmt = db.prepare('DELETE FROM site_options WHERE name = ?');
  }

  /** The stored JSON text, or undefined when the option does not exist. */
  read(name: string): string | undefined {
    const row = this.getStmt.get(name) as { value: string } | undefined;
    return row?.value;
  }

  insert(name: string, json: string): boolean {
    return this.insertStmt.run(name, json).changes > 0;
  }

  update(name: string, json: string): boolean {
    return this.updateStmt.run(json, name).changes > 0;
  }

  delete(name: string): boolean {
    return this.deleteStmt.run(name).changes > 0;
  }
}
