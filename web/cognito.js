// Signing in against Cognito's user pool API (or anything that speaks it, such as moto):
// one InitiateAuth call with the USER_PASSWORD_AUTH flow, and reading the ID token's claims.
// No SDK: the request is a plain POST in the AWS JSON 1.1 protocol.

/** Cognito refused the request: `code` is the exception name without its namespace. */
export class CognitoError extends Error {
  constructor(code, message, status) {
    super(message || code || "Sign-in failed.");
    this.name = "CognitoError";
    this.code = code || "";
    this.status = status;
  }
}

/** Cognito answered with a challenge (NEW_PASSWORD_REQUIRED, MFA, ...) instead of tokens. */
export class ChallengeError extends Error {
  constructor(challengeName) {
    super(`Cognito asks for the ${challengeName} challenge, which this page does not handle. ` +
      "Complete it with another client (for example the AWS CLI), then sign in here again.");
    this.name = "ChallengeError";
    this.challengeName = challengeName;
  }
}

/** `com.amazonaws.cognito...#NotAuthorizedException` → `NotAuthorizedException`. */
export function errorCode(type) {
  if (typeof type !== "string") return "";
  const afterHash = type.slice(type.lastIndexOf("#") + 1);
  return afterHash.split(":")[0].trim();
}

/**
 * Signs in with a user name (or e-mail) and password.
 * Resolves to `{ idToken, accessToken, refreshToken, expiresIn }`;
 * rejects with CognitoError, ChallengeError, or a TypeError when the endpoint cannot be reached.
 */
export async function initiateAuth(cognito, username, password) {
  let response;
  try {
    response = await fetch(cognito.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: cognito.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    });
  } catch (cause) {
    throw new CognitoError("NetworkError",
      `Could not reach the sign-in service at ${cognito.endpoint} (network error, or it does not allow this page's origin).`);
  }

  let body = null;
  const text = await response.text();
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }

  if (!response.ok) {
    const code = errorCode(body && (body.__type || body.code));
    const message = body && (body.message || body.Message);
    throw new CognitoError(code, message || `Sign-in failed (HTTP ${response.status}).`, response.status);
  }
  if (body && body.ChallengeName) throw new ChallengeError(body.ChallengeName);

  const result = body && body.AuthenticationResult;
  if (!result || typeof result.IdToken !== "string") {
    throw new CognitoError("InvalidResponse", "The sign-in service answered without an ID token.", response.status);
  }
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken,
    expiresIn: Number(result.ExpiresIn) || 3600,
  };
}

/** The claims of a JWT, without verifying it (the API's authorizer does that). */
export function decodeJwtPayload(token) {
  const part = String(token).split(".")[1];
  if (!part) throw new Error("not a JWT");
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** Who a token names, for display: e-mail, else the Cognito user name, else the subject. */
export function displayName(claims) {
  return (claims && (claims.email || claims["cognito:username"] || claims.username || claims.sub)) || "unknown user";
}
