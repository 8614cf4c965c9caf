using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SecretsBroker.Core.Policy;

/// <summary>
/// Reads a YAML policy file into a <see cref="PolicyDocument"/>, or into every error it holds, each
/// naming file, line and column. The same parser checks a file offline (<c>sbctl policy check</c>)
/// and loads it into the broker, so a file that passes the one loads in the other.
/// </summary>
public static class PolicyParser
{
    /// <summary>Far more than any real policy; a larger file is refused before it is parsed.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>A policy nests four levels (e.g. rules, a rule, its claims); two more leave room for clear errors.</summary>
    public const int MaxDepth = 6;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>Reads and parses the file at <paramref name="path"/>; errors name the path as given.</summary>
    public static PolicyParseResult ParseFile(string path)
    {
        var (content, error) = ReadFile(path);
        return content is null ? new PolicyParseResult(null, [error!], null) : Parse(path, content);
    }

    /// <summary>The file's bytes, or why they cannot be had (missing, unreadable, larger than <see cref="MaxFileBytes"/>).</summary>
    public static (byte[]? Content, PolicyError? Error) ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[MaxFileBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            return length > MaxFileBytes
                ? (null, FileError(path, $"the file is larger than {MaxFileBytes / 1024} KiB, the most a policy may be"))
                : (buffer[..length], null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e is FileNotFoundException or DirectoryNotFoundException ? "there is no such file" : e.Message;
            return (null, FileError(path, $"cannot read the policy file: {why}"));
        }
    }

    /// <summary>Parses <paramref name="content"/>; <paramref name="file"/> is the name errors are reported under.</summary>
    public static PolicyParseResult Parse(string file, ReadOnlySpan<byte> content)
    {
        ArgumentNullException.ThrowIfNull(file);
        var hash = Hash(content);
        if (content.Length > MaxFileBytes)
        {
            return new PolicyParseResult(null, [FileError(file, $"the file is larger than {MaxFileBytes / 1024} KiB, the most a policy may be")], hash);
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(content.StartsWith(ByteOrderMark) ? content[ByteOrderMark.Length..] : content);
        }
        catch (DecoderFallbackException)
        {
            return new PolicyParseResult(null, [FileError(file, "the file is not UTF-8 text")], hash);
        }

        var yaml = new YamlNodeReader(file);
        var stream = new YamlStream();
        var parser = new GuardedYamlParser(new Parser(new StringReader(text)), MaxDepth, yaml.Error);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            yaml.Error(e.Start, e is SyntaxErrorException or SemanticErrorException ? $"invalid YAML: {e.Message}{Hint(e)}" : e.Message);
            return new PolicyParseResult(null, yaml.Errors, hash);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, on some malformed input (an
            // unclosed flow list running into the next line); the last good event is the best place.
            yaml.Error(parser.LastGood, "invalid YAML after this point: an unclosed [ or { perhaps");
            return new PolicyParseResult(null, yaml.Errors, hash);
        }

        var document = new PolicyReader(yaml).Read(stream.Documents, hash);
        return document is not null && yaml.Errors.Count == 0
            ? new PolicyParseResult(document, [], hash)
            : new PolicyParseResult(null, yaml.Errors, hash);
    }

    /// <summary>The lowercase hex SHA-256 of a policy file's bytes, as recorded in the audit trail.</summary>
    public static string Hash(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>The likeliest slip behind YamlDotNet's message about aliases: an unquoted "*" pattern.</summary>
    private static string Hint(YamlException e) =>
        e.Message.Contains("anchor or alias", StringComparison.Ordinal) ? " (quote a value that starts with '*', e.g. \"*\")" : "";

    private static PolicyError FileError(string file, string message) => new(file, 1, 1, message);
}
