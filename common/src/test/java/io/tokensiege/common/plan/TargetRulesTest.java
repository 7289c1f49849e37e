package io.tokensiege.common.plan;

import static io.tokensiege.common.plan.PlanErrors.at;
import static io.tokensiege.common.plan.PlanErrors.of;
import static io.tokensiege.common.plan.PlanErrors.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A target's url, secrets, headers, extra_body and simulator profile: what may reach a server, refused at check time. */
class TargetRulesTest {
    static final String PLAN = """
            name: p
            targets:
              - name: t
                url: "http://h:1/v1"
                model: m
            scenarios:
              - { name: s, prompt: { tokens: 8 }, requests: 1 }
            """;

    private static String withUrl(String url) {
        return PLAN.replace("http://h:1/v1", url);
    }

    private static String withTargetLine(String line) {
        return PLAN.replace("    model: m\n", "    model: m\n    " + line + "\n");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            http://h:1/v 1                              | Illegal character in path (a space at character 13)
            http://127.0.0.1:18005@127.0.0.2:18006/v1   | must not carry user-info (a name or password before '@'): it hides the real host, which here is '127.0.0.2'
            http://user:secret@h:1/v1                   | must not carry user-info
            http:///v1                                  | has no valid host name
            http://exa_mple:80/v1                       | has no valid host name in 'exa_mple:80'
            http://h:1/v1#frag                          | must not have a fragment (not shown
            http://h:1/v1?x=1                           | must not have a query (not shown
            http://h:99999/v1                           | port 99999 is not between 1 and 65535
            ftp://h/v1                                  | must start with http:// or https://
            HTTP://h/v1                                 | must start with http:// or https://
            http:h/v1                                   | must start with http:// or https://
            /v1                                         | must start with http:// or https://
            """)
    void badUrl_isRefused_sayingWhatIsWrong(String url, String message) {
        PlanError e = at(single(withUrl(url)), 4, 10, "targets[0].url");
        assertThat(e.message()).contains(message);
        assertThat(e.message()).doesNotContain("secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://h:1/v1", "https://h/v1", "http://[::1]:8080/v1", "http://127.0.0.1:11434/v1/chat/completions", "http://h.lan:8000"})
    void goodUrl_parses(String url) throws PlanException {
        assertThat(PlanReader.parse(withUrl(url), "plan.yaml").targets().get(0).url()).startsWith(url.replace("/chat/completions", ""));
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            headers: { X-Evil: "a\\r\\nInjected: 1" }  | 6 | 24 | targets[0].headers.X-Evil         | has a carriage return (CR) at character 2
            headers: { X-Nul: "a\\0b" }                 | 6 | 23 | targets[0].headers.X-Nul          | has a NUL character at character 2
            headers: { X-Lf: "a\\nb" }                  | 6 | 22 | targets[0].headers.X-Lf           | has a line feed (LF)
            headers: { X-Bell: "a\\ab" }                | 6 | 24 | targets[0].headers.X-Bell         | the control character U+0007
            headers: { X-Accent: "café" }               | 6 | 26 | targets[0].headers.X-Accent       | the non-ASCII character 'é'
            headers: { "Bad Name": x }                  | 6 | 16 | targets[0].headers.Bad Name       | is not a valid HTTP header name
            headers: { "X:Y": x }                       | 6 | 16 | targets[0].headers.X:Y            | is not a valid HTTP header name
            headers: { Proxy-Authorization: x }         | 6 | 16 | targets[0].headers.Proxy-Authorization | secrets are never written in plans
            headers: { X-Goog-Api-Key: x }              | 6 | 16 | targets[0].headers.X-Goog-Api-Key | secrets are never written in plans
            headers: { X-Auth-Token: x }                | 6 | 16 | targets[0].headers.X-Auth-Token   | secrets are never written in plans
            headers: { Cookie: "session=x" }            | 6 | 16 | targets[0].headers.Cookie         | secrets are never written in plans
            headers: { Ocp-Apim-Subscription-Key: x }   | 6 | 16 | targets[0].headers.Ocp-Apim-Subscription-Key | secrets are never written in plans
            headers: { cf-aig-authorization: x }        | 6 | 16 | targets[0].headers.cf-aig-authorization | secrets are never written in plans
            extra_body: { api_key: x }                  | 6 | 19 | targets[0].extra_body.api_key     | secrets are never written in plans
            extra_body: { access_token: x }             | 6 | 19 | targets[0].extra_body.access_token | secrets are never written in plans
            headers: { Content-Length: "5" }            | 6 | 16 | targets[0].headers.Content-Length | set by the HTTP client itself
            headers: { Host: other }                    | 6 | 16 | targets[0].headers.Host           | set by the HTTP client itself
            headers: { Expect: 100-continue }           | 6 | 16 | targets[0].headers.Expect         | set by the HTTP client itself
            headers: { X-A: a, x-a: b }                 | 6 | 24 | targets[0].headers.x-a            | given twice (also as 'X-A'
            headers: { X-A: [a] }                       | 6 | 21 | targets[0].headers.X-A            | must be text
            """)
    void badHeader_isRefused_whereItStands(String line, int row, int column, String path, String message) {
        assertThat(at(single(withTargetLine(line)), row, column, path).message()).contains(message);
    }

    @Test
    void goodHeaders_keepTheirTextAsWritten() throws PlanException {
        Plan p = PlanReader.parse(withTargetLine("headers: { X-Org: acme, X-Version: 010, X-Tab: \"a\\tb\" }"), "plan.yaml");
        assertThat(p.targets().get(0).headers()).containsExactly(Map.entry("X-Org", "acme"), Map.entry("X-Version", "010"), Map.entry("X-Tab", "a\tb"));
    }

    @Test
    void extraBodyFieldsThatOnlyCountTokens_andSchemaPropertiesNamedLikeSecrets_areNotTakenForSecrets() throws PlanException {
        Plan p = PlanReader.parse(withTargetLine("extra_body: { max_completion_tokens: 64, return_tokens: false, chat_template_kwargs: { enable_thinking: false },"
                + " response_format: { type: json_schema, json_schema: { schema: { properties: { password: { type: string }, token: { type: string } } } } } }"),
                "plan.yaml");
        assertThat(p.targets().get(0).extraBody()).containsOnlyKeys("max_completion_tokens", "return_tokens", "chat_template_kwargs", "response_format");
    }

    @Test
    void textFields_keepTheTextAsWritten_notAsANumber() throws PlanException {
        assertThat(PlanReader.parse(PLAN.replace("model: m", "model: 3.10"), "plan.yaml").targets().get(0).model()).isEqualTo("3.10");
    }

    @Test
    void controlCharacterInText_isRefused_soNoTerminalOrReportPrintsIt() {
        PlanError e = at(single(PLAN.replace("model: m", "model: \"m\\e[2J\"")), 5, 12, "targets[0].model");
        assertThat(e.message()).isEqualTo("'model' has the control character U+001B at character 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"OPENAI_API_KEY", "OMLX_KEY", "HF_TOKEN", "A1_KEY", "VERY_LONG_SERVICE_NAME_FOR_LAB_2_API_KEY"})
    void keyLikeVariable_isAccepted(String name) throws PlanException {
        assertThat(PlanReader.parse(withTargetLine("api_key_env: " + name), "plan.yaml").targets().get(0).apiKeyEnv()).isEqualTo(name);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            TOKENSIEGE_TOKEN  | TOKENSIEGE_* variables hold tokensiege's own secrets
            tokensiege_key    | TOKENSIEGE_* variables hold tokensiege's own secrets
            HOME              | does not look like an API key variable
            AWS_KEYS          | does not look like an API key variable
            omlx_key          | does not look like an API key variable
            sk-abc123         | must name an environment variable, not hold a key
            hf_AbCdEfGhIjKlMnOpQrStUv0123 | must name an environment variable, not hold a key
            AKIAIOSFODNN7EXAMPLE | must name an environment variable, not hold a key
            xK9mQ2wLp8vR4tZs7YbN3c | must name an environment variable, not hold a key
            """)
    void otherVariable_isRefused(String name, String message) {
        PlanError e = at(single(withTargetLine("api_key_env: " + name)), 6, 18, "targets[0].api_key_env");
        assertThat(e.message()).contains(message);
    }

    @Test
    void otherVariable_isAccepted_onlyWhenAllowedByName() throws PlanException {
        String plan = withTargetLine("api_key_env: HOME_SERVER_SECRET");
        assertThat(single(plan).hint()).contains("--allow-key-env HOME_SERVER_SECRET");
        PlanOptions allowed = PlanOptions.allowingKeyEnvs(List.of("HOME_SERVER_SECRET"));
        assertThat(PlanReader.parse(plan, "plan.yaml", allowed).targets().get(0).apiKeyEnv()).isEqualTo("HOME_SERVER_SECRET");
        PlanOptions other = PlanOptions.allowingKeyEnvs(List.of("OTHER"));
        assertThat(catchThrowableOfType(PlanException.class, () -> PlanReader.parse(plan, "plan.yaml", other)).errors()).hasSize(1);
    }

    @Test
    void aKeyPastedInPlaceOfTheName_isNeverRepeated_inTheMessageOrTheHint() {
        for (String key : List.of("hf_AbCdEfGhIjKlMnOpQrStUv0123", "AKIAIOSFODNN7EXAMPLE", "xK9mQ2wLp8vR4tZs7YbN3c",
                "a3f9c2e5b1d4e6f8a0b7c9d2e4f6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f2")) { // the last as openssl rand -hex 32 makes
            PlanError e = single(withTargetLine("api_key_env: " + key));
            assertThat(e.message() + e.hint()).doesNotContain(key).doesNotContain(key.substring(4, 12));
        }
        assertThatThrownBy(() -> PlanOptions.allowingKeyEnvs(List.of("hf_AbCdEfGhIjKlMnOpQrStUv0123")))
                .hasMessageNotContaining("AbCdEf").hasMessageContaining("not an environment variable name");
    }

    @Test
    void aPlanSentToACoordinator_mayNameOnlyTheVariablesItsOperatorAllowed_keyLikeOrNot() throws PlanException {
        String plan = withTargetLine("api_key_env: AWS_SECRET_ACCESS_KEY");
        assertThat(PlanReader.parse(plan, "plan.yaml").targets().get(0).apiKeyEnv()).as("a plan file of the operator's own").isEqualTo("AWS_SECRET_ACCESS_KEY");
        PlanError e = single(plan, PlanOptions.allowingKeyEnvs(List.of("OMLX_KEY")).sent());
        assertThat(e.message()).contains("sends only the key variables its operator allowed by name, and not AWS_SECRET_ACCESS_KEY");
        assertThat(e.hint()).contains("start the coordinator with --allow-key-env AWS_SECRET_ACCESS_KEY");
        assertThat(single(plan, PlanOptions.DEFAULT.sent()).message()).contains("not AWS_SECRET_ACCESS_KEY");
        PlanOptions allowed = PlanOptions.allowingKeyEnvs(List.of("AWS_SECRET_ACCESS_KEY")).sent();
        assertThat(PlanReader.parse(plan, "plan.yaml", allowed).targets().get(0).apiKeyEnv()).isEqualTo("AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void aUrlsQueryOrFragment_isRefused_withoutBeingRepeated() {
        for (String url : List.of("http://h:1/v1?key=abc123secret", "http://h:1/v1#abc123secret")) {
            PlanError e = single(PLAN.replace("http://h:1/v1", url));
            assertThat(e.message()).contains("must not have a").doesNotContain("abc123secret");
        }
    }

    @Test
    void aLowerCaseVariableName_withWords_isNoKey_andCanBeAllowed() throws PlanException {
        PlanOptions allowed = PlanOptions.allowingKeyEnvs(List.of("hf_token_default"));
        assertThat(PlanReader.parse(withTargetLine("api_key_env: hf_token_default"), "plan.yaml", allowed).targets().get(0).apiKeyEnv())
                .isEqualTo("hf_token_default");
    }

    @Test
    void tokensiegeVariables_canNeverBeAllowed() {
        assertThatThrownBy(() -> PlanOptions.allowingKeyEnvs(List.of("TOKENSIEGE_TOKEN"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("can never be allowed");
        assertThatThrownBy(() -> new PlanOptions(Set.of("NOT A NAME"))).hasMessageContaining("not an environment variable name");
    }

    @Test
    void unknownSimulatorProfile_isRefused_withTheNearestName() {
        String plan = PLAN.replace("    url: \"http://h:1/v1\"\n    model: m\n", "    simulated: { profile: dense-62b }\n");
        PlanError e = at(single(plan), 4, 27, "targets[0].simulated.profile");
        assertThat(e.message()).isEqualTo("unknown simulator profile 'dense-62b'");
        assertThat(e.hint()).startsWith("did you mean 'dense-26b'?").contains("llama-cpp");
    }

    @Test
    void everyBuiltInProfileName_isAccepted() throws PlanException {
        for (String profile : SimulatorProfiles.BUILT_IN) {
            String plan = PLAN.replace("    url: \"http://h:1/v1\"\n    model: m\n", "    simulated: { profile: " + profile + " }\n");
            assertThat(PlanReader.parse(plan, "plan.yaml").targets().get(0).simulated().profile()).isEqualTo(profile);
        }
    }

    @Test
    void simulatorOverrides_mustBeDottedFieldNames_withFiniteValues() {
        String plan = PLAN.replace("    url: \"http://h:1/v1\"\n    model: m\n",
                "    simulated: { profile: dense-26b, set: { engine.slots: 8, \"engine slots\": 2, \"engine..x\": 1, engine.base_ms: .nan } }\n");
        List<PlanError> errors = of(plan);
        assertThat(errors).hasSize(3);
        at(errors.get(0), 4, 62, "targets[0].simulated.set.engine slots");
        at(errors.get(1), 4, 81, "targets[0].simulated.set.engine..x");
        at(errors.get(2), 4, 113, "targets[0].simulated.set.engine.base_ms");
        assertThat(errors.get(0).message()).contains("is not a profile field path");
        assertThat(errors.get(2).message()).contains("finite");
    }

    @Test
    void aSimulatedTargetWithOverridesButNoProfile_isToldSo() {
        String plan = PLAN.replace("    url: \"http://h:1/v1\"\n    model: m\n", "    simulated: { set: { engine.slots: 8 } }\n");
        assertThat(single(plan).message()).isEqualTo("missing 'profile'");
    }

    @Test
    void extraBody_mayNotReplaceWhatTokensiegeSets() {
        PlanError e = at(single(withTargetLine("extra_body: { ignore_eos: true, stream: false }")), 6, 37, "targets[0].extra_body.stream");
        assertThat(e.message()).contains("cannot set 'stream'");
    }

    @Test
    void extraBody_keepsNestedValues() throws PlanException {
        Plan p = PlanReader.parse(withTargetLine("extra_body: { ignore_eos: true, chat_template_kwargs: { enable_thinking: false } }"), "plan.yaml");
        assertThat(p.targets().get(0).extraBody()).containsEntry("ignore_eos", true)
                .containsEntry("chat_template_kwargs", Map.of("enable_thinking", false));
    }

    @Test
    void theKeysHeader_isTheBearerAuthorizationByDefault_andTheKeyAsItIsInAHeaderThePlanNames() throws PlanException {
        Target bearer = PlanReader.parse(withTargetLine("api_key_env: GW_KEY"), "plan.yaml").targets().get(0);
        assertThat(bearer.keyHeaderName()).isEqualTo("authorization");
        assertThat(bearer.keyHeaderValue("k-123")).isEqualTo("Bearer k-123");
        Target azure = PlanReader.parse(withTargetLine("api_key_env: GW_KEY\n    api_key_header: Ocp-Apim-Subscription-Key"), "plan.yaml").targets().get(0);
        assertThat(azure.apiKeyHeader()).isEqualTo("Ocp-Apim-Subscription-Key");
        assertThat(azure.keyHeaderName()).isEqualTo("Ocp-Apim-Subscription-Key");
        assertThat(azure.keyHeaderValue("k-123")).isEqualTo("k-123");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            api_key_header: x-api-key                              | names the header that carries the key, but this target names no api_key_env
            api_key_header: "x api key"                            | api_key_header 'x api key' is not a valid HTTP header name
            api_key_header: Content-Length                         | cannot be 'Content-Length': tokensiege or its HTTP client sets that header
            api_key_header: accept                                 | cannot be 'accept'
            api_key_header: Host                                   | cannot be 'Host'
            api_key_header: Expect                                 | cannot be 'Expect'
            api_key_header: Proxy-Authorization                    | cannot be 'Proxy-Authorization': it is for a proxy on the way, not the server
            """)
    void aKeyHeader_isRefused_whereItStands(String line, String message) {
        PlanError e = at(single(withTargetLine(line)), 6, 21, "targets[0].api_key_header");
        assertThat(e.message()).contains(message);
    }

    @Test
    void aKeyHeader_thatIsAlsoAPlainHeader_orAKeyPastedInItsPlace_isRefused_theKeyNeverRepeated() {
        String both = withTargetLine("api_key_env: GW_KEY\n    api_key_header: X-Gateway\n    headers: { x-gateway: a }");
        assertThat(single(both).message()).contains("header 'X-Gateway' is both api_key_header and in headers");
        String key = "sk-proj-AbC9dEf8GhI7jKl6MnO5pQr4";
        PlanError pasted = single(withTargetLine("api_key_env: GW_KEY\n    api_key_header: " + key));
        assertThat(pasted.message()).contains("must name a header, not hold a key");
        assertThat(pasted.message() + pasted.hint()).doesNotContain(key.substring(8, 20));
    }

    @Test
    void aCredentialHeader_pointsAtApiKeyHeader() {
        PlanError e = single(withTargetLine("headers: { api-key: abc }"));
        assertThat(e.message()).contains("secrets are never written in plans (header 'api-key')");
        assertThat(e.hint()).contains("api_key_env").contains("api_key_header: api-key");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            X-Gateway: "Bearer 8f2c1d"
            X-Gateway: "basic dXNlcjpwYXNz"
            X-Upstream: "sk-ant-api03-Zx8"
            X-Upstream: "key=hf_AbCdEfGhIjKlMnOpQrStUv"
            X-Session: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl"
            """)
    void aHeaderValueThatIsACredential_underANeutralName_isRefused_notRepeated(String header) {
        PlanError e = single(withTargetLine("headers: { " + header + " }"));
        String name = header.substring(0, header.indexOf(':'));
        String value = header.substring(header.indexOf('"') + 1, header.length() - 1);
        assertThat(e.path()).isEqualTo("targets[0].headers." + name);
        assertThat(e.message()).isEqualTo("header '" + name + "' holds what looks like a credential (not shown); secrets are never written in plans");
        assertThat(e.hint()).contains("api_key_header: " + name);
        assertThat(e.message() + e.hint()).doesNotContain(value.substring(value.length() - 4));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            X-Task: task-abcdefgh12
            X-Mode: fast
            X-Note: "a token bucket"
            X-Request-Source: tokensiege-sk-test
            """)
    void anOrdinaryHeaderValue_isSent(String header) throws PlanException {
        String name = header.substring(0, header.indexOf(':'));
        Plan p = PlanReader.parse(withTargetLine("headers: { " + header + " }"), "plan.yaml");
        assertThat(p.targets().get(0).headers()).containsKey(name);
    }

    @Test
    void aKeyInTheUrlsPath_orInExtraBody_isRefused_notRepeated() {
        PlanError params = single(PLAN.replace("http://h:1/v1", "http://h:1/v1;key=s3cr3tv4lu3"));
        assertThat(params.message()).isEqualTo("url must not have path parameters (';...', not shown: they may hold a key)");
        PlanError inPath = single(PLAN.replace("http://h:1/v1", "http://h:1/gw/sk-live-Zq81x0AbCd/v1"));
        assertThat(inPath.message()).isEqualTo("url holds what looks like a key in its path (not shown); a key goes in api_key_env").doesNotContain("Zq81");
        assertThat(single(withTargetLine("extra_body: { auth: x }")).message()).contains("secrets are never written in plans (extra_body field 'auth')");
        assertThat(single(withTargetLine("extra_body: { private_key: x }")).message()).contains("extra_body field 'private_key'");
        PlanError value = single(withTargetLine("extra_body: { user: \"Bearer Zq81x0AbCd\" }"));
        assertThat(value.message()).isEqualTo("extra_body field 'user' holds what looks like a credential (not shown); secrets are never written in plans");
        assertThat(single(withTargetLine("headers: { X-Access-Key: x }")).message()).contains("secrets are never written in plans (header 'X-Access-Key')");
    }

    @Test
    void aKeyPastedAsAHeaderName_isRefused_notRepeated() {
        PlanError e = single(withTargetLine("headers: { sk-live1234abcd: x }"));
        assertThat(e.message()).isEqualTo("a header name must not hold a key (not shown); secrets are never written in plans");
        assertThat(e.message() + e.hint()).doesNotContain("1234abcd");
        assertThat(single(withTargetLine("api_key_env: GW_KEY\n    api_key_header: sk-abc123")).message())
                .contains("must name a header, not hold a key (not shown)").doesNotContain("abc123");
    }

    @Test
    void aKeyThatCannotTravelInAHeader_isNamedWithoutAnyOfItsCharacters() {
        assertThat(ApiKeyEnvRule.valueProblem("GW_KEY", "abc-123\t_~!")).isNull();
        String newline = ApiKeyEnvRule.valueProblem("GW_KEY", "s3cr3tv4lu3\n");
        assertThat(newline).isEqualTo("the key in GW_KEY has a line break at character 12 (the key is not shown); a key is sent in a header,"
                + " as printable ASCII on one line: check how GW_KEY was set");
        assertThat(ApiKeyEnvRule.valueProblem("GW_KEY", "s3cr3t\u00e9")).contains("a non-ASCII character at character 7").doesNotContain("\u00e9");
        assertThat(ApiKeyEnvRule.valueProblem("GW_KEY", "s3\u0000")).contains("a control character at character 3");
    }
}
