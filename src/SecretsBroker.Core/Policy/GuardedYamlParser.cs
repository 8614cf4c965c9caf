using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SecretsBroker.Core.Policy;

/// <summary>
/// Sits between YamlDotNet's parser and its representation model and keeps a policy file to the
/// plain YAML a policy needs. Anchors and aliases are refused (an alias graph can make a small file
/// expand into an enormous one), and so is nesting deeper than a policy ever goes. A duplicate key
/// is reported and its entry skipped: the model would otherwise stop at the first one, and every
/// other error in the file would go unreported.
/// </summary>
internal sealed class GuardedYamlParser(IParser inner, int maxDepth, Action<Mark, string> reportDuplicate) : IParser
{
    private readonly Stack<Frame> frames = new();

    public ParsingEvent? Current => inner.Current;

    /// <summary>Where the last event read in full ends: the place to report an error the parser gave no position for.</summary>
    public Mark LastGood { get; private set; } = new(0, 1, 1);

    public bool MoveNext()
    {
        while (inner.MoveNext())
        {
            LastGood = inner.Current!.End;
            if (Admit(inner.Current!))
            {
                return true;
            }
        }

        return false;
    }

    private bool Admit(ParsingEvent e)
    {
        if (e is AnchorAlias || e is NodeEvent { Anchor.IsEmpty: false })
        {
            throw new YamlException(e.Start, e.End, "anchors and aliases (& and *) are not supported in policy files; quote a value that starts with '*'");
        }

        if (e is MappingEnd or SequenceEnd)
        {
            frames.Pop();
            return true;
        }

        if (e is not NodeEvent)
        {
            return true;
        }

        if (frames.TryPeek(out var parent) && parent.Keys is { } keys)
        {
            if (parent.ExpectingKey)
            {
                if (e is not Scalar key)
                {
                    throw new YamlException(e.Start, e.End, "a key must be a plain name, not a list or mapping");
                }

                if (!keys.TryAdd(key.Value, key.Start.Line))
                {
                    reportDuplicate(key.Start, $"duplicate key '{key.Value}': it is already at line {keys[key.Value]}");
                    SkipNode();
                    return false;
                }
            }

            parent.ExpectingKey = !parent.ExpectingKey;
        }

        if (e is MappingStart or SequenceStart)
        {
            if (frames.Count >= maxDepth)
            {
                throw new YamlException(e.Start, e.End, $"nested deeper than {maxDepth} levels, which no policy needs");
            }

            frames.Push(new Frame(e is MappingStart ? new Dictionary<string, long>(StringComparer.Ordinal) : null));
        }

        return true;
    }

    /// <summary>Consumes the value that follows a skipped duplicate key, however deep it is.</summary>
    private void SkipNode()
    {
        var depth = 0;
        do
        {
            if (!inner.MoveNext())
            {
                return;
            }

            depth += inner.Current switch
            {
                MappingStart or SequenceStart => 1,
                MappingEnd or SequenceEnd => -1,
                _ => 0,
            };
        }
        while (depth > 0);
    }

    /// <summary>An open mapping (with the keys seen so far) or sequence (no keys).</summary>
    private sealed class Frame(Dictionary<string, long>? keys)
    {
        public Dictionary<string, long>? Keys { get; } = keys;

        public bool ExpectingKey { get; set; } = true;
    }
}
