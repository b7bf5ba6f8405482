import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../bindings/ErrorCode';
import { api, toErrorPayload } from './api';

describe('toErrorPayload', () => {
  it('passes the backend payload through', () => {
    expect(toErrorPayload({ code: 'EmptyTitle', message: 'The title is empty.' })).toEqual({
      code: 'EmptyTitle',
      message: 'The title is empty.',
    });
  });

  it('wraps a bare string or Error', () => {
    expect(toErrorPayload('command overview not found')).toEqual({ code: 'Unknown', message: 'command overview not found' });
    expect(toErrorPayload(new Error('boom')).message).toBe('boom');
    expect(toErrorPayload(undefined).message).toBe('Something went wrong. Please try again.');
  });
});

describe('api outside the desktop app', () => {
  it('rejects with a clear BackendUnavailable error instead of throwing a TypeError', async () => {
    await expect(api.overview()).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable });
  });
});
