import { expect } from 'chai';
import { formField } from '../../../core/admin/form.js';
import { MENU_ICONS, menuIconGlyph } from '../../../core/admin/icons.js';

describe('core/admin formField and menu icons', () => {
  it('number: step any by default (19.99 is accepted), min, max and inputmode', () => {
    const out = formField({ id: 'amount', label: 'Amount', type: 'number', min: 0, max: 1000, value: 19.99 }).value;
    expect(out).to.include('type="number"').and.include('step="any"').and.include('min="0"').and.include('max="1000"').and.include('inputmode="decimal"').and.include('value="19.99"');
    expect(formField({ id: 'qty', label: 'Qty', type: 'number', step: 1 }).value).to.include('step="1"').and.include('inputmode="numeric"');
    expect(formField({ id: 'price', label: 'Price', type: 'number', step: 0.01 }).value).to.include('step="0.01"');
  });

  it('textarea, select and checkbox with a real label and escaped values', () => {
    const ta = formField({ id: 'notes', label: 'Notes', type: 'textarea', value: '<b>hi</b>', rows: 3 }).value;
    expect(ta).to.include('<label for="notes">Notes</label>').and.include('<textarea id="notes" name="notes"').and.include('rows="3"').and.include('&lt;b&gt;hi&lt;/b&gt;</textarea>');
    const sel = formField({ id: 'plan', label: 'Plan', type: 'select', value: 'pro', options: { free: 'Free', pro: 'Pro "plus"' } }).value;
    expect(sel).to.include('<select id="plan" name="plan"').and.include('<option value="free">Free</option>').and.include('<option value="pro" selected>Pro &quot;plus&quot;</option>');
    const cb = formField({ id: 'on', label: 'Enabled', type: 'checkbox', checked: true }).value;
    expect(cb).to.include('type="checkbox" id="on" name="on" value="1"').and.include(' checked');
  });

  it('extra attributes; an on* handler or bad name is refused', () => {
    expect(formField({ id: 'code', label: 'Code', attrs: { pattern: '[A-Z0-9]+', maxlength: 20, spellcheck: 'false', readonly: true, hidden: false } }).value)
      .to.include('pattern="[A-Z0-9]+"').and.include('maxlength="20"').and.include(' readonly').and.not.include('hidden');
    expect(() => formField({ id: 'x', label: 'X', attrs: { onclick: 'alert(1)' } })).to.throw(TypeError, 'onclick');
    expect(() => formField({ id: 'x', label: 'X', attrs: { 'a"b': 'c' } })).to.throw(TypeError);
  });

  it('menu icons: known names draw their glyph; unknown ones the title’s first letter', () => {
    expect(menuIconGlyph('dashicons-money-alt', 'Coupons')).to.deep.equal({ glyph: '$', known: true });
    expect(menuIconGlyph('dashicons-carrot', 'coupons')).to.deep.equal({ glyph: 'C', known: false });
    expect(Object.keys(MENU_ICONS).length).to.be.greaterThan(30);
  });
});
