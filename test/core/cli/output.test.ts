import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { formatItem, formatList } from '../../../core/cli/output.js';

const rows = [
  { id: 1, name: 'Alpha', active: true, meta: { a: 1 } },
  { id: 2, name: 'Beta, "quoted"', active: false, meta: null },
];
const FIELDS = ['id', 'name', 'active', 'meta'];

describe('CLI output (WP-CLI formats)', () => {
  it('renders a table with a header and borders', () => {
    const out = formatList(rows, { format: 'table' }, FIELDS, ['id', 'name']);
    expect(out.split('\n').slice(0, 4)).to.deep.equal(['+----+----------------+', '| id | name           |', '+----+----------------+', '| 1  | Alpha          |']);
  });
  it('json, yaml, csv, ids and count', () => {
    expect(JSON.parse(formatList(rows, { format: 'json', fields: 'id,active' }, FIELDS, ['id']))).to.deep.equal([
      { id: 1, active: true },
      { id: 2, active: false },
    ]);
    expect(parseYaml(formatList(rows, { format: 'yaml', fields: 'name' }, FIELDS, ['id']))).to.deep.equal([{ name: 'Alpha' }, { name: 'Beta, "quoted"' }]);
    expect(formatList(rows, { format: 'csv', fields: 'id,name,meta' }, FIELDS, ['id'])).to.equal('id,name,meta\n1,Alpha,"{""a"":1}"\n2,"Beta, ""quoted""",\n');
    expect(formatList(rows, { format: 'ids' }, FIELDS, ['id'])).to.equal('1 2\n');
    expect(formatList(rows, { format: 'count' }, FIELDS, ['id'])).to.equal('2\n');
    expect(formatList(rows, { field: 'name' }, FIELDS, ['id'])).to.equal('Alpha\nBeta, "quoted"\n');
  });
  it('one item: Field/Value table, --field, json', () => {
    expect(formatItem(rows[0]!, { format: 'table', fields: 'id,name' }, FIELDS)).to.include('| Field | Value |').and.include('| name  | Alpha |');
    expect(formatItem(rows[0]!, { field: 'name' }, FIELDS)).to.equal('Alpha\n');
    expect(JSON.parse(formatItem(rows[0]!, { format: 'json' }, FIELDS))).to.deep.equal(rows[0]);
  });
  it('refuses an unknown field, naming the ones it has', () => {
    expect(() => formatList(rows, { fields: 'id,secret' }, FIELDS, ['id'])).to.throw(/Invalid field: secret\. Choose from: id, name, active, meta/);
  });
});
