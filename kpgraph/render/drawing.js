// kpgraph's drawing helpers, shared by the view and the report's route networks; inlined
// after vis-network in both pages.

// A name thousands of characters long would push every other company out of sight when a
// drawing is fitted: the canvas and tooltips show a cut, search and the data keep the
// whole text. Bidirectional controls (U+202A-202E, U+2066-2069) could make a name read
// backwards or disguise an id: they are shown as visible marks instead.
var kpgraphClip = function (text, n) {
  var t = String(text).replace(/[\u202a-\u202e\u2066-\u2069]/g, function (c) {
    return "[U+" + c.charCodeAt(0).toString(16).toUpperCase() + "]";
  });
  return t.length > n ? t.slice(0, n - 1) + "\u2026" : t;
};

// vis-network's fit() frames the nodes' shapes, not their labels, so a label at the edge
// of the drawing was cut off. This frames every node with its label, with a margin, and
// never zooms in past 1.5 (a two-company route would fill the box). Labels are measured
// when first drawn: call it after a drawing (kpgraphFitWhenDrawn).
var kpgraphFitWhole = function (network) {
  var ids = Object.keys(network.getPositions());
  if (!ids.length) return;
  var l = Infinity, t = Infinity, r = -Infinity, b = -Infinity;
  ids.forEach(function (id) {
    var bb = network.getBoundingBox(id);
    l = Math.min(l, bb.left); t = Math.min(t, bb.top);
    r = Math.max(r, bb.right); b = Math.max(b, bb.bottom);
  });
  var box = network.body.container.getBoundingClientRect();
  var scale = 0.95 * Math.min(box.width / Math.max(r - l, 1), box.height / Math.max(b - t, 1));
  network.moveTo({ position: { x: (l + r) / 2, y: (t + b) / 2 },
                   scale: Math.min(scale, 1.5), animation: false });
};

// Once the next drawing is done (labels measured), frame it whole, then call done().
var kpgraphFitWhenDrawn = function (network, done) {
  network.once("afterDrawing", function () {
    kpgraphFitWhole(network);
    done();
  });
  network.redraw();
};

// A route drawn as a chain, left to right, each company in its node's "level" (the step
// that first reached it), with no physics to move it.
var kpgraphRouteLayout = {
  layout: { hierarchical: { enabled: true, direction: "LR", levelSeparation: 150,
                            nodeSpacing: 110 } },
  physics: { enabled: false },
};

// A route's steps run straight along the chain; a round trip's closing step, back along
// it, arcs around the chain so that it does not hide the steps it passes. Other links
// take the network's own curves.
var kpgraphStepSmooth = function (e) {
  if (!e.step) return undefined;
  return e.back ? { type: "curvedCW", roundness: 0.45 } : false;
};
