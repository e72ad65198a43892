// NN Builder clientside callbacks (registered in webapp/views/nn_builder through ClientsideFunction).
window.dash_clientside = window.dash_clientside || {};
window.dash_clientside.nn_builder = {
    // The task guessed on the server for the chosen target column of an upload; the user may change it after.
    guessTask: function (target, upload) {
        const guess = upload && upload.tasks && upload.tasks[target];
        return guess || window.dash_clientside.no_update;
    },
};
