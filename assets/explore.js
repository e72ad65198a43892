// The explore page's clientside callbacks (webapp/views/explore). They take their inputs as arguments, so no
// component id is written here.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    explore: {
        // The normal density N(mu, sigma) and its title, recomputed on every slider move; the figure's theme kept.
        normal: function (mu, sigma, figure) {
            const x = [], y = [];
            for (let i = 0; i <= 400; i++) {
                const v = -10 + i * 0.05;
                x.push(v);
                y.push(Math.exp(-0.5 * ((v - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI)));
            }
            const out = Object.assign({}, figure);
            out.data = [Object.assign({}, figure.data[0], {x: x, y: y})];
            out.layout = Object.assign({}, figure.layout, {
                title: Object.assign({}, figure.layout.title, {text: `N(mu=${mu}, sigma=${sigma})`}),
            });
            return out;
        },
    },
});
