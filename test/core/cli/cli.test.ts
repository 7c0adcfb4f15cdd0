import { expect } from 'chai';
import { hookpress, tempDataDir } from '../../helpers/cli.js';

describe('hookpress CLI (child process)', function () {
  this.timeout(60_000);
  let data: ReturnType<typeof tempDataDir>;
  before(() => (data = tempDataDir()));
  after(() => data.remove());

  it('lists event types, with WP-CLI formats', async () => {
    const json = await hookpress(['wu', 'event', 'list', '--format=json', '--fields=slug,name'], { DATA_DIR: data.dir });
    expect(json.code, json.stderr).to.equal(0);
    const events = JSON.parse(json.stdout) as Array<{ slug: string; name: string }>;
    expect(events.map((e) => e.slug)).to.include('payment_received');
    expect(Object.keys(events[0]!)).to.deep.equal(['slug', 'name']);
  });

  it('errors go to stderr as "Error: …" with exit status 1', async () => {
    const unknown = await hookpress(['wu', 'nope'], { DATA_DIR: data.dir });
    expect(unknown.code).to.equal(1);
    expect(unknown.stdout).to.equal('');
    expect(unknown.stderr).to.match(/^Error: unknown command 'nope'/);
    const field = await hookpress(['wu', 'event', 'list', '--fields=slug,secret'], { DATA_DIR: data.dir });
    expect(field.code).to.equal(1);
    expect(field.stderr).to.equal('Error: Invalid field: secret. Choose from: slug, name, desc, group, source, payload.\n');
  });
});
