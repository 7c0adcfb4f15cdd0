import { expect } from 'chai';
import request from 'supertest';
import { makeApp } from '../helpers/app.js';
import type { HookpressApp } from '../../core/app.js';

describe('form limits and the favicon (findings 12a, 12d)', () => {
  let hp: HookpressApp;
  beforeEach(async () => {
    hp = await makeApp();
  });
  afterEach(async () => {
    await hp.close();
  });

  it('#12a a form with more than 2000 fields (well under 1 MB) gets the explanatory 413 page', async () => {
    const body = Array.from({ length: 2500 }, (_, i) => `f${i}=1`).join('&');
    expect(body.length).to.be.lessThan(100_000);
    const res = await request(hp.app).post('/wp-login.php').set('Content-Type', 'application/x-www-form-urlencoded').set('Accept', 'text/html').send(body);
    expect(res.status).to.equal(413);
    expect(res.text).to.include('The form was too large to send');
    expect(res.text).to.include('2000 fields');
    expect(res.text).not.to.include('could not be understood');
  });

  it('#12a the REST API answers too many form fields in its own error shape', async () => {
    const body = Array.from({ length: 2500 }, (_, i) => `f${i}=1`).join('&');
    const res = await request(hp.app).post('/wp-json/').set('Content-Type', 'application/x-www-form-urlencoded').send(body);
    expect(res.status).to.equal(413);
    expect(res.body.code).to.equal('rest_payload_too_large');
  });

  it('#12d serves /favicon.ico (an icon, not a 404)', async () => {
    const res = await request(hp.app).get('/favicon.ico');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/image\/(x-icon|vnd\.microsoft\.icon)/);
    expect(res.headers['cache-control']).to.include('max-age');
  });
});
