import { describe, expect, it } from 'vitest';
import { classifyHttp, classifyStreamError } from '../../src/probes/classify.js';
import type { ErrorClass } from '../../src/probes/types.js';

const scrub = (s: string) => s;

describe('classification of the added vendors’ error bodies', () => {
  it.each([
    [
      'Gemini invalid key: 400 INVALID_ARGUMENT, reason API_KEY_INVALID',
      400,
      '{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}',
      undefined,
      'auth',
      'HTTP 400 API_KEY_INVALID: API key not valid. Please pass a valid API key.',
    ],
    [
      'Gemini plain 400 INVALID_ARGUMENT',
      400,
      '{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}}',
      undefined,
      'bad_request',
      'HTTP 400 INVALID_ARGUMENT: Request contains an invalid argument.',
    ],
    [
      'Bedrock type in x-amzn-errortype',
      429,
      '{"message":"Too many requests, please wait before trying again."}',
      'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
      'rate_limited',
      'HTTP 429 ThrottlingException: Too many requests, please wait before trying again.',
    ],
    [
      'Bedrock ModelNotReadyException is load, not quota',
      429,
      '{"message":"Model is not ready for inference."}',
      'ModelNotReadyException',
      'overloaded',
      undefined,
    ],
    [
      'Bedrock ModelErrorException (424) is the vendor’s failure',
      424,
      '{"message":"The system encountered an unexpected error during processing."}',
      'ModelErrorException',
      'server_error',
      undefined,
    ],
    [
      'Bedrock ResourceNotFoundException',
      404,
      '{"message":"This model version has reached the end of its life."}',
      'ResourceNotFoundException',
      'model_unavailable',
      undefined,
    ],
    [
      'AWS JSON __type and Message',
      400,
      '{"__type":"com.amazon.coral.validate#ValidationException","Message":"bad input"}',
      undefined,
      'bad_request',
      'HTTP 400 ValidationException: bad input',
    ],
    [
      'Ollama queue full',
      503,
      '{"error":"server busy, please try again.  maximum pending requests exceeded"}',
      undefined,
      'overloaded',
      undefined,
    ],
  ] as Array<[string, number, string, string | undefined, ErrorClass, string | undefined]>)(
    '%s → %s',
    (_name, status, body, errorType, expected, message) => {
      const cls = classifyHttp({ status, body, ...(errorType ? { errorType } : {}) }, scrub);
      expect(cls.errorClass).toBe(expected);
      if (message !== undefined) expect(cls.message).toBe(message);
    },
  );

  it('a body type wins over the header type', () => {
    const cls = classifyHttp(
      { status: 403, body: '{"__type":"AccessDeniedException","message":"no"}', errorType: 'X' },
      scrub,
    );
    expect(cls.message).toBe('HTTP 403 AccessDeniedException: no');
  });

  it.each([
    [{ type: 'throttlingException', message: 'slow down' }, 'rate_limited'],
    [{ type: 'modelStreamErrorException', message: 'model failed' }, 'server_error'],
    [{ type: 'validationException', message: 'bad' }, 'bad_request'],
    [
      { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } },
      'overloaded',
    ],
    [
      { error: { code: 429, message: 'Resource exhausted', status: 'RESOURCE_EXHAUSTED' } },
      'rate_limited',
    ],
  ] as Array<[unknown, ErrorClass]>)('in-stream %j → %s', (error, expected) => {
    expect(classifyStreamError(error, scrub).errorClass).toBe(expected);
  });
});
