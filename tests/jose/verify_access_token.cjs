// Verifies a shop access token the way a resource server would, with the `jose` library and the
// issuer's published keys: signature (from the JWKS fetched over HTTP), `typ` at+jwt, `iss`, `aud`,
// `exp` and `nbf`. Prints the verified claims as JSON; exits 1 when the token does not verify.
// usage: node verify_access_token.cjs <tools dir> <jwks url> <token> <issuer> <audience>
'use strict';
const path = require('node:path');
const { createRequire } = require('node:module');

const [toolsDir, jwksUrl, token, issuer, audience] = process.argv.slice(2);
if (!audience) {
    console.error('usage: node verify_access_token.cjs <tools dir> <jwks url> <token> <issuer> <audience>');
    process.exit(2);
}
// jose is installed in tools/ by scripts/setup (npm ci), not next to this file.
const jose = createRequire(path.join(toolsDir, 'package.json'))('jose');

(async () => {
    const jwks = jose.createRemoteJWKSet(new URL(jwksUrl));
    try {
        const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
            issuer,
            audience,
            typ: 'at+jwt',
            algorithms: ['EdDSA'],
            requiredClaims: ['sub', 'iat', 'nbf', 'exp', 'jti'],
        });
        console.log(JSON.stringify({ header: protectedHeader, claims: payload }));
    } catch (e) {
        console.log(JSON.stringify({ error: e.code || String(e) }));
        process.exit(1);
    }
})();
