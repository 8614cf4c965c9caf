// Validates an OpenAPI document file against the OpenAPI 3.1 specification and exits non-zero on any error.
// Usage: node validate.mjs <document.json>
import { readFile } from 'node:fs/promises';
import { validate, compileErrors } from '@readme/openapi-parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs <document.json>');
  process.exit(2);
}

const document = JSON.parse(await readFile(file, 'utf8'));
if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.1.')) {
  console.error(`expected an OpenAPI 3.1 document, got openapi: ${JSON.stringify(document.openapi)}`);
  process.exit(1);
}

const result = await validate(document);
if (!result.valid) {
  console.error(compileErrors(result));
  process.exit(1);
}

console.log(`valid OpenAPI ${document.openapi} document: ${Object.keys(document.paths ?? {}).length} paths`);
