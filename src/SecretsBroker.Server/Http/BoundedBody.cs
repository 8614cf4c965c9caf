using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using SecretsBroker.Core.Outcomes;

namespace SecretsBroker.Server.Http;

/// <summary>
/// Reads a whole request body held to <c>Broker:MaxRequestBodyBytes</c>, with or without a
/// Content-Length: every reader of a body (JSON, forms) goes through here, so none can be made to
/// buffer more, and a body Kestrel cannot read is a 4xx with a code, not an exception.
/// </summary>
internal static class BoundedBody
{
    public static async Task<Result<byte[]>> ReadAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        // Kestrel counts chunk framing towards its limit, so a chunked body under the limit would be
        // refused. Kestrel only bounds the bytes on the wire here; the loop below holds the body to it.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = context.Request.ContentLength is null ? 2L * limit : limit;
        }

        try
        {
            return context.Request.ContentLength is { } length
                ? await ReadExactlyAsync(context, (int)length)
                : await ReadChunkedAsync(context, limit);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit);
        }
        catch (Exception e) when (e is BadHttpRequestException or EndOfStreamException)
        {
            // Broken chunk framing, a body shorter than its Content-Length: the message is Kestrel's, not for the caller.
            return BrokerError.Invalid(ErrorCodes.InvalidBody, "The request body could not be read.");
        }
    }

    public static BrokerError TooLarge(int limit) =>
        new(ErrorCodes.BodyTooLarge, $"The body is larger than {limit} bytes.", ErrorKind.TooLarge);

    // A Content-Length already checked against the limit: read into an array of exactly that size, with
    // no growing buffer and no copy (every lease request has one). Kestrel never hands over more bytes
    // than the Content-Length, and fewer is a BadHttpRequestException.
    private static async Task<byte[]> ReadExactlyAsync(HttpContext context, int length)
    {
        var body = new byte[length];
        await context.Request.Body.ReadExactlyAsync(body, context.RequestAborted);
        return body;
    }

    private static async Task<Result<byte[]>> ReadChunkedAsync(HttpContext context, int limit)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int n;
            while ((n = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + n > limit)
                {
                    return TooLarge(limit);
                }

                buffer.Write(chunk, 0, n);
            }

            return buffer.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk, clearArray: true);
        }
    }
}
