// Node 20.19+ has require(esm), so mocha loads test files with require(): through tsx's
// CommonJS hook they would become CommonJS copies of modules the host imports as ESM
// (two WebhookError classes, two module states). Load every test file with import().
const { pathToFileURL } = require('node:url');
const esmUtils = require('mocha/lib/nodejs/esm-utils.cjs');

esmUtils.requireOrImport = async (file) => {
  const mod = await import(pathToFileURL(file).href);
  return mod.default ?? { ...mod, default: undefined };
};
