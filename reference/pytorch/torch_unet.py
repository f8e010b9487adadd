#!/usr/bin/python3
"""PyTorch CPU reference for `npm run bench`: the kit's DDPM UNet (same layers, widths and
parameter count as lib/diffusion/unet-spec.ts) timed on one thread, forward and training step.

Reads one JSON object on stdin:
  {"arch": {ch, chMult, numResBlocks, attnResolutions, dropout, groupNormGroups, resamplingConv,
            imageSize, inChannels, outChannels}, "batch": 128, "repeats": 5}
Prints one JSON line: {"params", "torchForwardMs", "torchTrainMs", "threads", "torch"}.
Run with Debian's interpreter (/usr/bin/python3, package python3-torch).
"""
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - 1))
    args = t.float()[:, None] * freqs[None]
    emb = torch.cat([torch.sin(args), torch.cos(args)], dim=1)
    return F.pad(emb, (0, 1)) if dim % 2 else emb


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb, groups, dropout):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-6)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-6)
        self.drop = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.temb(F.silu(temb))[:, :, None, None]
        h = self.conv2(self.drop(F.silu(self.norm2(h))))
        return (self.skip(x) if self.skip is not None else x) + h


class Attn(nn.Module):
    def __init__(self, c, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, c, eps=1e-6)
        self.q, self.k, self.v, self.proj = (nn.Conv2d(c, c, 1) for _ in range(4))

    def forward(self, x):
        b, c, h, w = x.shape
        hn = self.norm(x)
        q = self.q(hn).reshape(b, c, h * w).permute(0, 2, 1)
        k = self.k(hn).reshape(b, c, h * w)
        v = self.v(hn).reshape(b, c, h * w)
        a = torch.softmax(torch.bmm(q, k) / math.sqrt(c), dim=2)
        o = torch.bmm(v, a.permute(0, 2, 1)).reshape(b, c, h, w)
        return x + self.proj(o)


class UNet(nn.Module):
    def __init__(self, a):
        super().__init__()
        ch, mult, nrb, g, p = a["ch"], a["chMult"], a["numResBlocks"], a["groupNormGroups"], a["dropout"]
        self.ch, self.resamp = ch, a["resamplingConv"]
        temb = ch * 4
        self.temb0, self.temb1 = nn.Linear(ch, temb), nn.Linear(temb, temb)
        self.conv_in = nn.Conv2d(a["inChannels"], ch, 3, padding=1)
        res, cin, skips = a["imageSize"], ch, [ch]
        self.down = nn.ModuleList()
        for i, m in enumerate(mult):
            blocks, attns = nn.ModuleList(), nn.ModuleList()
            for _ in range(nrb):
                blocks.append(ResBlock(cin, ch * m, temb, g, p))
                cin = ch * m
                attns.append(Attn(cin, g) if res in a["attnResolutions"] else nn.Identity())
                skips.append(cin)
            level = nn.Module()
            level.blocks, level.attns = blocks, attns
            level.downsample = None
            if i != len(mult) - 1:
                level.downsample = nn.Conv2d(cin, cin, 3, stride=2) if self.resamp else nn.AvgPool2d(2)
                skips.append(cin)
                res = (res + 1 - 3) // 2 + 1
            self.down.append(level)
        self.mid1, self.mid_attn, self.mid2 = ResBlock(cin, cin, temb, g, p), Attn(cin, g), ResBlock(cin, cin, temb, g, p)
        self.up = nn.ModuleList()
        for i in reversed(range(len(mult))):
            blocks, attns = nn.ModuleList(), nn.ModuleList()
            for _ in range(nrb + 1):
                blocks.append(ResBlock(cin + skips.pop(), ch * mult[i], temb, g, p))
                cin = ch * mult[i]
                attns.append(Attn(cin, g) if res in a["attnResolutions"] else nn.Identity())
            level = nn.Module()
            level.blocks, level.attns = blocks, attns
            level.upsample = nn.Conv2d(cin, cin, 3, padding=1) if (i != 0 and self.resamp) else None
            level.has_up = i != 0
            if i != 0:
                res *= 2
            self.up.append(level)
        self.norm_out = nn.GroupNorm(g, cin, eps=1e-6)
        self.conv_out = nn.Conv2d(cin, a["outChannels"], 3, padding=1)

    def forward(self, x, t):
        temb = self.temb1(F.silu(self.temb0(timestep_embedding(t, self.ch))))
        h = self.conv_in(x)
        hs = [h]
        for level in self.down:
            for blk, attn in zip(level.blocks, level.attns):
                h = attn(blk(h, temb))
                hs.append(h)
            if level.downsample is not None:
                h = level.downsample(F.pad(h, (0, 1, 0, 1)) if self.resamp else h)
                hs.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, temb)), temb)
        for level in self.up:
            for blk, attn in zip(level.blocks, level.attns):
                h = attn(blk(torch.cat([h, hs.pop()], dim=1), temb))
            if level.has_up:
                h = F.interpolate(h, scale_factor=2.0, mode="nearest")
                if level.upsample is not None:
                    h = level.upsample(h)
        return self.conv_out(F.silu(self.norm_out(h)))


def main():
    req = json.load(sys.stdin)
    torch.set_num_threads(int(req.get("threads", 1)))
    torch.manual_seed(0)
    a, batch, repeats = req["arch"], int(req["batch"]), int(req.get("repeats", 5))
    model = UNet(a)
    opt = torch.optim.Adam(model.parameters(), lr=2e-4)
    x = torch.randn(batch, a["inChannels"], a["imageSize"], a["imageSize"])
    t = torch.randint(0, 1000, (batch,))
    fwd, train = [], []
    model.eval()
    with torch.no_grad():
        for i in range(repeats + 1):
            t0 = time.perf_counter()
            model(x, t)
            if i:
                fwd.append((time.perf_counter() - t0) * 1000)
    model.train()
    for i in range(max(2, (repeats + 1) // 2) + 1):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = (model(x, t) - x).square().sum(dim=(1, 2, 3)).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if i:
            train.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        "params": sum(p.numel() for p in model.parameters()),
        "torchForwardMs": statistics.median(fwd),
        "torchTrainMs": statistics.median(train),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
