import { Readable } from 'node:stream';
import { InvalidRequestError } from '../common/errors/api-error.js';
import { fileTooLarge } from './file-intake.service.js';
import { cleanFileName, MAX_NAME_LENGTH } from './file-name.js';
import type { NewFileContent } from './files.service.js';

/** An HTML tag such as <p>, <br/> or <b class="x">: what makes a text file .html. */
const HTML_TAG = /<\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?>/i;

/**
 * The file a title and a text make: .html when the text contains an HTML tag, else .txt, the
 * extension added unless the title already ends with it. Throws 400 for a title empty once
 * cleaned and 413 for content above `maxBytes` (UTF-8), before anything is stored.
 */
export function textFile(title: string, text: string, maxBytes: number): NewFileContent {
  const cleaned = cleanFileName(title);
  if (cleaned === '')
    throw new InvalidRequestError('The title is empty once cleaned.', [{ field: 'title', message: 'title must not be empty' }]);
  const content = Buffer.from(text, 'utf8');
  if (content.length > maxBytes) throw fileTooLarge(maxBytes);
  const isHtml = HTML_TAG.test(text);
  const extension = isHtml ? '.html' : '.txt';
  // The title is cut (by characters, never splitting one) so that the extension still fits.
  const name = cleaned.toLowerCase().endsWith(extension)
    ? cleaned
    : `${[...cleaned]
        .slice(0, MAX_NAME_LENGTH - extension.length)
        .join('')
        .trimEnd()}${extension}`;
  // The charset makes browsers show the UTF-8 content right.
  return { name, contentType: isHtml ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', content: Readable.from([content]) };
}
