using System.Security.Cryptography;
using System.Text;
using SecretsBroker.Providers.Postgres;

namespace SecretsBroker.IntegrationTests.Postgres;

/// <summary>The stock of precomputed SCRAM pairs: each pair once, each verifier right, never a wait on an empty stock.</summary>
public sealed class ScramCredentialStockTests
{
    [Fact]
    public async Task Every_pair_taken_is_new_and_its_verifier_matches_its_password()
    {
        await using var stock = new ScramCredentialStock();
        // More than the stock holds: some come from it, some are computed at the take.
        var taken = Enumerable.Range(0, ScramCredentialStock.Capacity * 2 + 5).Select(_ => stock.Take()).ToList();
        await WaitForAsync(() => stock.Count == ScramCredentialStock.Capacity);
        taken.AddRange(Enumerable.Range(0, ScramCredentialStock.Capacity).Select(_ => stock.Take()));

        Assert.Equal(taken.Count, taken.Select(c => c.Password).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(taken.Count, taken.Select(c => c.Verifier).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(taken.Count, taken.Select(c => Parse(c.Verifier).Salt).Distinct(StringComparer.Ordinal).Count());
        Assert.All(taken, AssertMatches);
    }

    [Fact]
    public async Task An_empty_stock_still_answers_at_once_and_the_filler_fills_it()
    {
        await using var stock = new ScramCredentialStock();
        Assert.Equal(0, stock.Count);

        var first = stock.Take();

        AssertMatches(first);
        await WaitForAsync(() => stock.Count == ScramCredentialStock.Capacity);
    }

    [Fact]
    public async Task After_disposal_nothing_is_left_in_stock_and_a_take_computes_its_own()
    {
        var stock = new ScramCredentialStock();
        stock.Take();
        await WaitForAsync(() => stock.Count == ScramCredentialStock.Capacity);

        await stock.DisposeAsync();

        Assert.Equal(0, stock.Count);
        var late = stock.Take();
        AssertMatches(late);
        await Task.Delay(200);
        Assert.Equal(0, stock.Count);
        await stock.DisposeAsync();
    }

    [Fact]
    public void The_text_form_of_a_pair_carries_neither_password_nor_verifier()
    {
        var credential = ScramCredential.New();

        var text = credential.ToString();

        Assert.DoesNotContain(credential.Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain("SCRAM", text, StringComparison.Ordinal);
    }

    /// <summary>Recomputes StoredKey and ServerKey (RFC 5802) from the verifier's own salt and count.</summary>
    private static void AssertMatches(ScramCredential credential)
    {
        var (iterations, salt, storedKey, serverKey) = Parse(credential.Verifier);
        Assert.Equal(4096, iterations);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(credential.Password), Convert.FromBase64String(salt), iterations, HashAlgorithmName.SHA256, 32);
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8))), storedKey);
        Assert.Equal(Convert.ToBase64String(HMACSHA256.HashData(salted, "Server Key"u8)), serverKey);
        Assert.Matches("^[A-Za-z0-9]{40}\\z", credential.Password);
    }

    private static (int Iterations, string Salt, string StoredKey, string ServerKey) Parse(string verifier)
    {
        var match = System.Text.RegularExpressions.Regex.Match(verifier, "^SCRAM-SHA-256\\$([0-9]+):([A-Za-z0-9+/=]+)\\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)\\z");
        Assert.True(match.Success, "not a SCRAM-SHA-256 verifier in PostgreSQL's format");
        return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value, match.Groups[3].Value, match.Groups[4].Value);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the stock was not filled within 30 s");
            await Task.Delay(20);
        }
    }
}
