// The catalog of vendor error codes the mock answers (mock-contract §2, volcengine-im-api §2.1).
// Keys equal the wire Code; handlers throw ApiError, the protocol layer turns it into the envelope.

export interface ErrorSpec { readonly status: number; readonly codeN?: number; readonly message: string }

export const ERRORS = {
  MissingParameter: { status: 400, codeN: 100002, message: 'The request is missing %s parameter.' },
  MissingAuthenticationToken: { status: 401, codeN: 100003, message: 'The request is missing authentication token.' },
  MissingRequestInfo: { status: 400, codeN: 100004, message: 'The request is missing %s information.' },
  InvalidTimestamp: { status: 400, codeN: 100006, message: 'The Signature of the request is expired.' },
  InvalidActionOrVersion: { status: 404, codeN: 100008, message: 'Could not find operation %s.' },
  InvalidAccessKey: { status: 401, codeN: 100009, message: 'The accesskey [%s] included in the request is invalid.' },
  SignatureDoesNotMatch: {
    status: 401, codeN: 100010,
    message: 'The request signature we calculated does not match the signature you provided. Check your Secret Access Key and signing method. Consult the service documentation for details.',
  },
  // a business refusal (DestroyConversation by a non-owner), so no CodeN: the gateway's AccessDenied 100013 means the
  // credentials were refused, which this is not (docs/errors.md)
  AccessDenied: { status: 403, message: 'User is not authorized to perform: %s.' },
  InternalError: { status: 500, codeN: 100014, message: 'Service has some internal Error. Pls Contact With Admin.' },
  FlowLimitExceeded: { status: 429, codeN: 100018, message: 'Flow limit exceeded: %s.' },
  ServiceUnavailableTemp: { status: 503, codeN: 100019, message: 'Service temporarily unavailable.' },
  MethodNotAllowed: { status: 405, codeN: 100020, message: 'Method %s is not allowed.' },
  InvalidAuthorization: { status: 400, codeN: 100024, message: "Invalid 'Authorization' header, Pls check your authorization header." },
  RequestEntityTooLarge: { status: 413, message: 'The request body is larger than %s bytes.' },
  'InvalidParameter': { status: 400, message: '%s' },
  'InvalidParameter.BodyIsEmpty': { status: 400, message: 'The request body is empty.' },
  'InvalidParameter.Unmarshal': { status: 400, message: 'The request body is not valid JSON: %s' },
  'InvalidParameter.NotExistConversation': { status: 400, message: 'Conversation %s does not exist.' },
  'InvalidParameter.NotExistMessage': { status: 400, message: 'Message %s does not exist.' },
  'InvalidParameter.UnsupportedConversationType': { status: 400, message: '%s' },
  'InvalidParameter.NotInConversation': { status: 400, message: '%s' },
  // strict apps (mock-contract §5): the RTC OpenAPI's codes (same service and version), documented without a CodeN
  'InvalidParameter.NotExistAppId': { status: 400, message: 'AppId %s does not exist.' },
  'AccessDenied.NoPermissionForApp': { status: 403, message: '%s' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** A vendor error: Code, HTTP status and CodeN from the catalog, Message formatted from its template. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly codeN?: number;

  constructor(code: ErrorCode, detail?: string) {
    const spec: ErrorSpec = ERRORS[code];
    super(spec.message.includes('%s') ? spec.message.replace('%s', detail ?? '') : spec.message);
    this.code = code;
    this.status = spec.status;
    this.codeN = spec.codeN;
  }

  /** An error whose code, status and CodeN come from outside the catalog (fault injection). */
  static custom(code: string, status: number, message: string, codeN?: number): ApiError {
    const err = new ApiError('InternalError');
    Object.assign(err, { code, status, codeN, message });
    return err;
  }
}

export const invalid = (message: string) => new ApiError('InvalidParameter', message);
