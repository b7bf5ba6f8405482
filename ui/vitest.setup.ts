// Vitest's window format: en-GB on a 24-hour clock, whatever the machine's locale, so that tests
// of cards, titles and tables read the same everywhere. Tests of other formats pass their own.
import { setActiveFormat } from './src/lib/format';

setActiveFormat({ locale: 'en-GB', hour12: false });
