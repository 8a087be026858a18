"""``tf.contrib.rnn`` extras, ``contrib.seq2seq`` and ``contrib.legacy_seq2seq`` losses.

What stood for each contrib symbol in TF 2.15 (``reference_contrib``):

- the cells of ``tf.nn.rnn_cell`` and ``static_rnn``/``static_bidirectional_rnn`` are
  2.15's own;
- ``LSTMBlockCell`` and ``GRUBlockCell(V2)`` are cells around 2.15's fused kernels
  ``tf.raw_ops.LSTMBlockCell`` / ``tf.raw_ops.GRUBlockCell`` (the kernels TF1 ran), with the
  gradients TF1's contrib registered, rebuilt from 2.15's ``LSTMBlockCellGrad`` /
  ``GRUBlockCellGrad`` kernels;
- ``LayerNormBasicLSTMCell`` is TF1's formula on 2.15's legacy ``RNNCell`` with
  ``tf_slim.layer_norm`` (contrib.layers.layer_norm) and 2.15's ``tf.nn.dropout``;
- ``stack_bidirectional_(dynamic_)rnn`` and the two seq2seq losses are not in 2.15: they
  are TF1's compositions (a loop of 2.15's ``(static_)bidirectional_(dynamic_)rnn``;
  2.15's ``sparse_softmax_cross_entropy_with_logits`` reduced as TF1's source did).

Everything in ``reference_contrib`` runs only under TF 2.15 (scripts/reference_env.sh).
"""

import numpy as np

BATCH, TIME, DEPTH, UNITS = 3, 4, 2, 3


def _lstm_block_cell_gradient(tf):
    """TF1 contrib's gradient of the LSTMBlockCell kernel, from 2.15's grad kernel."""

    def gradient(op, *grads):
        x, cs_prev, h_prev, w, wci, wcf, wco, b = op.inputs
        i, cs, f, o, ci, co, _ = op.outputs
        cs_grad, h_grad = grads[1], grads[6]
        input_size = x.shape[1]
        cs_prev_grad, dicfo, wci_grad, wcf_grad, wco_grad = tf.raw_ops.LSTMBlockCellGrad(
            x=x,
            cs_prev=cs_prev,
            h_prev=h_prev,
            w=w,
            wci=wci,
            wcf=wcf,
            wco=wco,
            b=b,
            i=i,
            cs=cs,
            f=f,
            o=o,
            ci=ci,
            co=co,
            cs_grad=cs_grad,
            h_grad=h_grad,
            use_peephole=op.get_attr("use_peephole"),
        )
        xh_grad = tf.matmul(dicfo, w, transpose_b=True)
        x_grad = xh_grad[:, :input_size]
        h_prev_grad = xh_grad[:, input_size:]
        w_grad = tf.matmul(tf.concat([x, h_prev], 1), dicfo, transpose_a=True)
        b_grad = tf.reduce_sum(dicfo, 0)
        return (x_grad, cs_prev_grad, h_prev_grad, w_grad, wci_grad, wcf_grad, wco_grad, b_grad)

    return gradient


def _gru_block_cell_gradient(tf):
    """TF1 contrib's gradient of the GRUBlockCell kernel, from 2.15's grad kernel."""

    def gradient(op, *grads):
        x, h_prev, w_ru, w_c, b_ru, b_c = op.inputs
        r, u, c, _ = op.outputs
        d_x, d_h_prev, d_c_bar, d_r_bar_u_bar = tf.raw_ops.GRUBlockCellGrad(
            x=x,
            h_prev=h_prev,
            w_ru=w_ru,
            w_c=w_c,
            b_ru=b_ru,
            b_c=b_c,
            r=r,
            u=u,
            c=c,
            d_h=grads[3],
        )
        d_w_ru = tf.matmul(tf.concat([x, h_prev], 1), d_r_bar_u_bar, transpose_a=True)
        d_w_c = tf.matmul(tf.concat([x, h_prev * r], 1), d_c_bar, transpose_a=True)
        d_b_ru = tf.reduce_sum(d_r_bar_u_bar, 0)
        d_b_c = tf.reduce_sum(d_c_bar, 0)
        return d_x, d_h_prev, d_w_ru, d_w_c, d_b_ru, d_b_c

    return gradient


def _register_gradients(tf):
    for op_type, make in (
        ("LSTMBlockCell", _lstm_block_cell_gradient),
        ("GRUBlockCell", _gru_block_cell_gradient),
    ):
        try:
            tf.RegisterGradient(op_type)(make(tf))
        except KeyError:  # registered by an earlier call in this process
            pass


def reference_contrib(tf, tf_slim):
    from keras.src.layers.rnn.legacy_cells import LayerRNNCell
    from keras.src.legacy_tf_layers.base import Layer as LegacyLayer

    _register_gradients(tf)
    legacy = tf.nn.rnn_cell

    class LSTMBlockCell(LayerRNNCell):
        def __init__(
            self,
            num_units,
            forget_bias=1.0,
            cell_clip=None,
            use_peephole=False,
            dtype=None,
            reuse=None,
            name="lstm_cell",
        ):
            super().__init__(_reuse=reuse, dtype=dtype, name=name)
            self._num_units = num_units
            self._forget_bias = forget_bias
            self._cell_clip = cell_clip if cell_clip is not None else -1
            self._use_peephole = use_peephole

        @property
        def state_size(self):
            return legacy.LSTMStateTuple(self._num_units, self._num_units)

        @property
        def output_size(self):
            return self._num_units

        def build(self, inputs_shape):
            n = self._num_units
            self._kernel = self.add_variable("kernel", [inputs_shape[1] + n, 4 * n])
            self._bias = self.add_variable(
                "bias", [4 * n], initializer=tf.constant_initializer(0.0)
            )
            if self._use_peephole:
                self._peep = [
                    self.add_variable(k, [n]) for k in ("w_i_diag", "w_f_diag", "w_o_diag")
                ]
            self.built = True

        def call(self, inputs, state):
            cs_prev, h_prev = state
            if self._use_peephole:
                wci, wcf, wco = self._peep
            else:
                wci = wcf = wco = tf.zeros([self._num_units], dtype=self.dtype)
            _, cs, _, _, _, _, h = tf.raw_ops.LSTMBlockCell(
                x=inputs,
                cs_prev=cs_prev,
                h_prev=h_prev,
                w=self._kernel,
                wci=wci,
                wcf=wcf,
                wco=wco,
                b=self._bias,
                forget_bias=self._forget_bias,
                cell_clip=self._cell_clip,
                use_peephole=self._use_peephole,
            )
            return h, legacy.LSTMStateTuple(cs, h)

    class GRUBlockCell(LayerRNNCell):
        names = ("w_ru", "b_ru", "w_c", "b_c")

        def __init__(self, num_units=None, cell_size=None, reuse=None, name="gru_cell"):
            super().__init__(_reuse=reuse, name=name)
            self._cell_size = num_units if num_units is not None else cell_size

        @property
        def state_size(self):
            return self._cell_size

        @property
        def output_size(self):
            return self._cell_size

        def build(self, input_shape):
            rows, n = input_shape[1] + self._cell_size, self._cell_size
            w_ru, b_ru, w_c, b_c = self.names
            self._w_ru = self.add_variable(w_ru, [rows, 2 * n])
            self._b_ru = self.add_variable(b_ru, [2 * n], initializer=tf.constant_initializer(1.0))
            self._w_c = self.add_variable(w_c, [rows, n])
            self._b_c = self.add_variable(b_c, [n], initializer=tf.constant_initializer(0.0))
            self.built = True

        def call(self, inputs, h_prev):
            _, _, _, new_h = tf.raw_ops.GRUBlockCell(
                x=inputs,
                h_prev=h_prev,
                w_ru=self._w_ru,
                w_c=self._w_c,
                b_ru=self._b_ru,
                b_c=self._b_c,
            )
            return new_h, new_h

    class LSTMBlockFusedCell(LegacyLayer):
        def __init__(
            self,
            num_units,
            forget_bias=1.0,
            cell_clip=None,
            use_peephole=False,
            reuse=None,
            dtype=None,
            name="lstm_fused_cell",
        ):
            super().__init__(_reuse=reuse, name=name, dtype=dtype)
            self._num_units = num_units
            self._forget_bias = forget_bias
            self._cell_clip = cell_clip if cell_clip is not None else -1
            self._use_peephole = use_peephole

        def build(self, input_shape):
            n = self._num_units
            self._kernel = self.add_variable("kernel", [input_shape[2] + n, 4 * n])
            self._bias = self.add_variable(
                "bias", [4 * n], initializer=tf.constant_initializer(0.0)
            )
            if self._use_peephole:
                self._peep = [
                    self.add_variable(k, [n]) for k in ("w_i_diag", "w_f_diag", "w_o_diag")
                ]
            self.built = True

        def call(self, inputs, initial_state=None, dtype=None, sequence_length=None):
            time_len = tf.compat.dimension_value(inputs.shape[0]) or tf.shape(inputs)[0]
            batch_size = tf.compat.dimension_value(inputs.shape[1]) or tf.shape(inputs)[1]
            if initial_state is None:
                z = tf.zeros(tf.stack([batch_size, self._num_units]), dtype=dtype)
                initial_state = z, z
            elif dtype is None:
                dtype = initial_state[0].dtype
            cs0, h0 = initial_state
            if self._use_peephole:
                wci, wcf, wco = self._peep
            else:
                wci = wcf = wco = tf.zeros([self._num_units], dtype=dtype)
            if sequence_length is None:
                max_len = tf.cast(time_len, tf.int64)
            else:
                sequence_length = tf.convert_to_tensor(sequence_length)
                max_len = tf.cast(tf.reduce_max(sequence_length), tf.int64)
            _, cs, _, _, _, _, h = tf.raw_ops.BlockLSTM(
                seq_len_max=max_len,
                x=inputs,
                cs_prev=cs0,
                h_prev=h0,
                w=self._kernel,
                wci=wci,
                wcf=wcf,
                wco=wco,
                b=self._bias,
                forget_bias=self._forget_bias,
                cell_clip=self._cell_clip,
                use_peephole=self._use_peephole,
            )
            if sequence_length is None:
                final = legacy.LSTMStateTuple(cs[-1], h[-1])
            else:
                mask = tf.transpose(tf.sequence_mask(sequence_length, time_len, dtype=dtype))
                h *= tf.tile(tf.expand_dims(mask, [-1]), [1, 1, self._num_units])
                index = tf.stack([sequence_length, tf.range(batch_size)], axis=1)
                final = legacy.LSTMStateTuple(
                    tf.gather_nd(tf.concat([tf.expand_dims(cs0, 0), cs], 0), index),
                    tf.gather_nd(tf.concat([tf.expand_dims(h0, 0), h], 0), index),
                )
            return h, final

    class GRUBlockCellV2(GRUBlockCell):
        names = ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")

    class LayerNormBasicLSTMCell(legacy.RNNCell):
        def __init__(
            self,
            num_units,
            forget_bias=1.0,
            input_size=None,
            activation=tf.tanh,
            layer_norm=True,
            norm_gain=1.0,
            norm_shift=0.0,
            dropout_keep_prob=1.0,
            dropout_prob_seed=None,
            reuse=None,
        ):
            super().__init__(_reuse=reuse)
            self._num_units = num_units
            self._activation = activation
            self._forget_bias = forget_bias
            self._keep_prob = dropout_keep_prob
            self._seed = dropout_prob_seed
            self._layer_norm = layer_norm
            self._norm_gain = norm_gain
            self._norm_shift = norm_shift

        @property
        def state_size(self):
            return legacy.LSTMStateTuple(self._num_units, self._num_units)

        @property
        def output_size(self):
            return self._num_units

        def _norm(self, inp, scope, dtype):
            shape = inp.get_shape()[-1:]
            with tf.variable_scope(scope):
                tf.get_variable(
                    "gamma",
                    shape=shape,
                    dtype=dtype,
                    initializer=tf.constant_initializer(self._norm_gain),
                )
                tf.get_variable(
                    "beta",
                    shape=shape,
                    dtype=dtype,
                    initializer=tf.constant_initializer(self._norm_shift),
                )
            return tf_slim.layer_norm(inp, reuse=True, scope=scope)

        def call(self, inputs, state):
            c, h = state
            args = tf.concat([inputs, h], 1)
            out_size = 4 * self._num_units
            concat = tf.matmul(args, tf.get_variable("kernel", [args.shape[-1], out_size]))
            if not self._layer_norm:
                concat = tf.nn.bias_add(concat, tf.get_variable("bias", [out_size]))
            i, j, f, o = tf.split(value=concat, num_or_size_splits=4, axis=1)
            if self._layer_norm:
                i = self._norm(i, "input", args.dtype)
                j = self._norm(j, "transform", args.dtype)
                f = self._norm(f, "forget", args.dtype)
                o = self._norm(o, "output", args.dtype)
            g = self._activation(j)
            if (not isinstance(self._keep_prob, float)) or self._keep_prob < 1:
                g = tf.nn.dropout(g, self._keep_prob, seed=self._seed)
            new_c = c * tf.sigmoid(f + self._forget_bias) + tf.sigmoid(i) * g
            if self._layer_norm:
                new_c = self._norm(new_c, "state", args.dtype)
            new_h = self._activation(new_c) * tf.sigmoid(o)
            return new_h, legacy.LSTMStateTuple(new_c, new_h)

    def stack_bidirectional_rnn(
        cells_fw,
        cells_bw,
        inputs,
        initial_states_fw=None,
        initial_states_bw=None,
        dtype=None,
        sequence_length=None,
        scope=None,
    ):
        states_fw, states_bw, layer = [], [], inputs
        with tf.variable_scope(scope or "stack_bidirectional_rnn"):
            for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw, strict=True)):
                with tf.variable_scope("cell_%d" % i) as cell_scope:
                    layer, state_fw, state_bw = tf.nn.static_bidirectional_rnn(
                        cell_fw,
                        cell_bw,
                        layer,
                        initial_state_fw=initial_states_fw[i] if initial_states_fw else None,
                        initial_state_bw=initial_states_bw[i] if initial_states_bw else None,
                        sequence_length=sequence_length,
                        dtype=dtype,
                        scope=cell_scope,
                    )
                states_fw.append(state_fw)
                states_bw.append(state_bw)
        return layer, tuple(states_fw), tuple(states_bw)

    def stack_bidirectional_dynamic_rnn(
        cells_fw,
        cells_bw,
        inputs,
        initial_states_fw=None,
        initial_states_bw=None,
        dtype=None,
        sequence_length=None,
        parallel_iterations=None,
        time_major=False,
        scope=None,
        swap_memory=False,
    ):
        states_fw, states_bw, layer = [], [], inputs
        with tf.variable_scope(scope or "stack_bidirectional_rnn"):
            for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw, strict=True)):
                with tf.variable_scope("cell_%d" % i):
                    outputs, (state_fw, state_bw) = tf.nn.bidirectional_dynamic_rnn(
                        cell_fw,
                        cell_bw,
                        layer,
                        initial_state_fw=initial_states_fw[i] if initial_states_fw else None,
                        initial_state_bw=initial_states_bw[i] if initial_states_bw else None,
                        sequence_length=sequence_length,
                        parallel_iterations=parallel_iterations,
                        dtype=dtype,
                        swap_memory=swap_memory,
                        time_major=time_major,
                    )
                    layer = tf.concat(outputs, 2)
                states_fw.append(state_fw)
                states_bw.append(state_bw)
        return layer, tuple(states_fw), tuple(states_bw)

    def sequence_loss_by_example(
        logits,
        targets,
        weights,
        average_across_timesteps=True,
        softmax_loss_function=None,
        name=None,
    ):
        with tf.name_scope(name, "sequence_loss_by_example", logits + targets + weights):
            terms = []
            for logit, target, weight in zip(logits, targets, weights, strict=True):
                if softmax_loss_function is None:
                    crossent = tf.nn.sparse_softmax_cross_entropy_with_logits(
                        labels=tf.reshape(target, [-1]), logits=logit
                    )
                else:
                    crossent = softmax_loss_function(labels=target, logits=logit)
                terms.append(crossent * weight)
            log_perps = tf.add_n(terms)
            if average_across_timesteps:
                log_perps /= tf.add_n(weights) + 1e-12
        return log_perps

    def legacy_sequence_loss(
        logits,
        targets,
        weights,
        average_across_timesteps=True,
        average_across_batch=True,
        softmax_loss_function=None,
        name=None,
    ):
        with tf.name_scope(name, "sequence_loss", logits + targets + weights):
            cost = tf.reduce_sum(
                sequence_loss_by_example(
                    logits,
                    targets,
                    weights,
                    average_across_timesteps=average_across_timesteps,
                    softmax_loss_function=softmax_loss_function,
                )
            )
            if average_across_batch:
                return cost / tf.cast(tf.shape(targets[0])[0], cost.dtype)
            return cost

    def sequence_loss(
        logits,
        targets,
        weights,
        average_across_timesteps=True,
        average_across_batch=True,
        sum_over_timesteps=False,
        sum_over_batch=False,
        softmax_loss_function=None,
        name=None,
    ):
        with tf.name_scope(name, "sequence_loss", [logits, targets, weights]):
            num_classes = tf.shape(logits)[2]
            flat = tf.reshape(logits, [-1, num_classes])
            labels = tf.reshape(targets, [-1])
            if softmax_loss_function is None:
                ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=flat)
            else:
                ce = softmax_loss_function(labels=labels, logits=flat)
            ce *= tf.reshape(weights, [-1])
            if average_across_timesteps and average_across_batch:
                return tf.div_no_nan(tf.reduce_sum(ce), tf.reduce_sum(weights))
            if sum_over_timesteps and sum_over_batch:
                count = tf.cast(tf.count_nonzero(weights), ce.dtype)
                return tf.div_no_nan(tf.reduce_sum(ce), count)
            ce = tf.reshape(ce, tf.shape(logits)[0:2])
            if average_across_timesteps or average_across_batch:
                axis = [0] if average_across_batch else [1]
                return tf.div_no_nan(
                    tf.reduce_sum(ce, axis=axis), tf.reduce_sum(weights, axis=axis)
                )
            if sum_over_timesteps or sum_over_batch:
                axis = [0] if sum_over_batch else [1]
                count = tf.cast(tf.count_nonzero(weights, axis=axis), ce.dtype)
                return tf.div_no_nan(tf.reduce_sum(ce, axis=axis), count)
            return ce

    return {
        "rnn": {
            "BasicLSTMCell": legacy.BasicLSTMCell,
            "GRUCell": legacy.GRUCell,
            "LSTMCell": legacy.LSTMCell,
            "MultiRNNCell": legacy.MultiRNNCell,
            "LSTMBlockCell": LSTMBlockCell,
            "GRUBlockCell": GRUBlockCell,
            "GRUBlockCellV2": GRUBlockCellV2,
            "LSTMBlockFusedCell": LSTMBlockFusedCell,
            "LayerNormBasicLSTMCell": LayerNormBasicLSTMCell,
            "static_rnn": tf.nn.static_rnn,
            "static_bidirectional_rnn": tf.nn.static_bidirectional_rnn,
            "static_state_saving_rnn": tf.nn.static_state_saving_rnn,
            "stack_bidirectional_rnn": stack_bidirectional_rnn,
            "stack_bidirectional_dynamic_rnn": stack_bidirectional_dynamic_rnn,
        },
        "seq2seq": {"sequence_loss": sequence_loss},
        "legacy_seq2seq": {
            "sequence_loss_by_example": sequence_loss_by_example,
            "sequence_loss": legacy_sequence_loss,
        },
    }


# -- the cases: TF1 user code ------------------------------------------------------------------


def _sequence_data(tf, seed, out_depth):
    rng = np.random.RandomState(seed)
    x = tf.placeholder(tf.float32, [None, TIME, DEPTH])
    y = tf.placeholder(tf.float32, [None, TIME, out_depth])
    feed = {
        x: rng.randn(BATCH, TIME, DEPTH).astype(np.float32),
        y: rng.randn(BATCH, TIME, out_depth).astype(np.float32),
    }
    return x, y, feed


def _dynamic_case(make_cell, seed):
    def build(tf):
        x, y, feed = _sequence_data(tf, seed, UNITS)
        lengths = tf.constant([TIME, 2, 3])
        # One iteration at a time: random ops (dropout) then draw in step order.
        outputs, state = tf.nn.dynamic_rnn(
            make_cell(tf), x, sequence_length=lengths, dtype=tf.float32, parallel_iterations=1
        )
        loss = tf.reduce_mean(tf.square(outputs - y))
        return {"feed": feed, "outputs": {"outputs": outputs, "state": state}, "loss": loss}

    return build


lstm_block_cell = _dynamic_case(lambda tf: tf.contrib.rnn.LSTMBlockCell(UNITS), 1)
lstm_block_cell_peephole_clip = _dynamic_case(
    lambda tf: tf.contrib.rnn.LSTMBlockCell(
        UNITS, forget_bias=0.5, cell_clip=0.4, use_peephole=True
    ),
    2,
)
gru_block_cell = _dynamic_case(lambda tf: tf.contrib.rnn.GRUBlockCell(UNITS), 3)
gru_block_cell_v2 = _dynamic_case(lambda tf: tf.contrib.rnn.GRUBlockCellV2(UNITS), 4)
layer_norm_basic_lstm = _dynamic_case(lambda tf: tf.contrib.rnn.LayerNormBasicLSTMCell(UNITS), 5)
layer_norm_basic_lstm_dropout = _dynamic_case(
    lambda tf: tf.contrib.rnn.LayerNormBasicLSTMCell(
        UNITS,
        forget_bias=0.7,
        norm_gain=0.9,
        norm_shift=0.1,
        dropout_keep_prob=0.6,
        dropout_prob_seed=11,
    ),
    6,
)
layer_norm_off_basic_lstm = _dynamic_case(
    lambda tf: tf.contrib.rnn.LayerNormBasicLSTMCell(UNITS, layer_norm=False), 7
)


def lstm_block_fused_cell(tf):
    x, y, feed = _sequence_data(tf, 16, UNITS)
    cell = tf.contrib.rnn.LSTMBlockFusedCell(UNITS, use_peephole=True, cell_clip=0.4)
    time_major = tf.transpose(x, [1, 0, 2])
    outputs, state = cell(time_major, dtype=tf.float32, sequence_length=[4, 2, 3])
    loss = tf.reduce_mean(tf.square(tf.transpose(outputs, [1, 0, 2]) - y))
    return {"feed": feed, "outputs": {"outputs": outputs, "state": state}, "loss": loss}


def multi_lstm_block_cell(tf):
    x, y, feed = _sequence_data(tf, 8, UNITS)
    cell = tf.contrib.rnn.MultiRNNCell(
        [tf.contrib.rnn.LSTMBlockCell(UNITS), tf.contrib.rnn.LSTMBlockCell(UNITS)]
    )
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    loss = tf.reduce_mean(tf.square(outputs - y))
    return {"feed": feed, "outputs": {"outputs": outputs, "state": state}, "loss": loss}


def static_rnn_lstm(tf):
    x, y, feed = _sequence_data(tf, 9, UNITS)
    inputs = tf.unstack(x, axis=1)
    outputs, state = tf.contrib.rnn.static_rnn(
        tf.contrib.rnn.BasicLSTMCell(UNITS), inputs, dtype=tf.float32, sequence_length=[4, 2, 3]
    )
    loss = tf.reduce_mean(tf.square(tf.stack(outputs, axis=1) - y))
    return {"feed": feed, "outputs": {"outputs": outputs, "state": state}, "loss": loss}


class _ZeroStateSaver:
    """The smallest state saver: every state starts at zero; saving is an identity."""

    def __init__(self, tf):
        self._tf = tf
        self.saved = {}

    def state(self, name):
        return self._tf.zeros([BATCH, UNITS])

    def save_state(self, name, value):
        self.saved[name] = value
        return self._tf.identity(value)


def static_state_saving_rnn_block_cells(tf):
    x, y, feed = _sequence_data(tf, 18, UNITS)
    inputs = tf.unstack(x, axis=1)
    saver = _ZeroStateSaver(tf)
    lstm_out, lstm_state = tf.contrib.rnn.static_state_saving_rnn(
        tf.contrib.rnn.LSTMBlockCell(UNITS), inputs, saver, ("c", "h"), scope="lstm"
    )
    gru_out, gru_state = tf.contrib.rnn.static_state_saving_rnn(
        tf.contrib.rnn.GRUBlockCell(UNITS), inputs, saver, "gru", scope="gru"
    )
    outputs = tf.stack(lstm_out, axis=1) + tf.stack(gru_out, axis=1)
    loss = tf.reduce_mean(tf.square(outputs - y))
    return {
        "feed": feed,
        "outputs": {"outputs": outputs, "lstm_state": lstm_state, "gru_state": gru_state},
        "loss": loss,
    }


def static_bidirectional_rnn_gru(tf):
    x, y, feed = _sequence_data(tf, 10, 2 * UNITS)
    inputs = tf.unstack(x, axis=1)
    outputs, state_fw, state_bw = tf.contrib.rnn.static_bidirectional_rnn(
        tf.contrib.rnn.GRUCell(UNITS),
        tf.contrib.rnn.GRUCell(UNITS),
        inputs,
        dtype=tf.float32,
        sequence_length=[4, 2, 3],
    )
    loss = tf.reduce_mean(tf.square(tf.stack(outputs, axis=1) - y))
    return {
        "feed": feed,
        "outputs": {"outputs": outputs, "state_fw": state_fw, "state_bw": state_bw},
        "loss": loss,
    }


def bidirectional_dynamic_rnn_block_cells(tf):
    x, y, feed = _sequence_data(tf, 11, 2 * UNITS)
    (out_fw, out_bw), (state_fw, state_bw) = tf.nn.bidirectional_dynamic_rnn(
        tf.contrib.rnn.LSTMCell(UNITS, use_peepholes=True),
        tf.contrib.rnn.LSTMBlockCell(UNITS),
        x,
        sequence_length=[4, 2, 3],
        dtype=tf.float32,
    )
    outputs = tf.concat([out_fw, out_bw], 2)
    loss = tf.reduce_mean(tf.square(outputs - y))
    return {
        "feed": feed,
        "outputs": {"outputs": outputs, "state_fw": state_fw, "state_bw": state_bw},
        "loss": loss,
    }


def stack_bidirectional_dynamic_rnn_lstm(tf):
    x, y, feed = _sequence_data(tf, 12, 2 * UNITS)
    rnn = tf.contrib.rnn
    outputs, states_fw, states_bw = rnn.stack_bidirectional_dynamic_rnn(
        [rnn.BasicLSTMCell(UNITS), rnn.LSTMBlockCell(UNITS)],
        [rnn.BasicLSTMCell(UNITS), rnn.GRUBlockCell(UNITS)],
        x,
        dtype=tf.float32,
        sequence_length=[4, 2, 3],
    )
    loss = tf.reduce_mean(tf.square(outputs - y))
    return {
        "feed": feed,
        "outputs": {"outputs": outputs, "states_fw": states_fw, "states_bw": states_bw},
        "loss": loss,
    }


def stack_bidirectional_rnn_gru(tf):
    x, y, feed = _sequence_data(tf, 13, 2 * UNITS)
    rnn = tf.contrib.rnn
    outputs, states_fw, states_bw = rnn.stack_bidirectional_rnn(
        [rnn.GRUCell(UNITS), rnn.GRUCell(UNITS)],
        [rnn.GRUCell(UNITS), rnn.GRUCell(UNITS)],
        tf.unstack(x, axis=1),
        dtype=tf.float32,
    )
    loss = tf.reduce_mean(tf.square(tf.stack(outputs, axis=1) - y))
    return {
        "feed": feed,
        "outputs": {"outputs": outputs, "states_fw": states_fw, "states_bw": states_bw},
        "loss": loss,
    }


CLASSES = 5


def _logits_data(tf, seed):
    """A [batch, time, classes] logit tensor from a trainable projection."""
    rng = np.random.RandomState(seed)
    x = tf.placeholder(tf.float32, [None, TIME, DEPTH])
    targets = tf.placeholder(tf.int32, [None, TIME])
    weights = tf.placeholder(tf.float32, [None, TIME])
    projection = tf.get_variable("projection", [DEPTH, CLASSES])
    logits = tf.reshape(tf.matmul(tf.reshape(x, [-1, DEPTH]), projection), [-1, TIME, CLASSES])
    mask = np.ones((BATCH, TIME), np.float32)
    mask[1, 2:] = 0.0
    mask[2, 0] = 0.5
    feed = {
        x: rng.randn(BATCH, TIME, DEPTH).astype(np.float32),
        targets: rng.randint(0, CLASSES, (BATCH, TIME)).astype(np.int32),
        weights: mask,
    }
    return logits, targets, weights, feed


def seq2seq_sequence_loss(tf):
    logits, targets, weights, feed = _logits_data(tf, 14)
    loss_fn = tf.contrib.seq2seq.sequence_loss
    outputs = {
        "mean": loss_fn(logits, targets, weights),
        "per_time": loss_fn(logits, targets, weights, average_across_timesteps=False),
        "per_example": loss_fn(logits, targets, weights, average_across_batch=False),
        "none": loss_fn(
            logits, targets, weights, average_across_timesteps=False, average_across_batch=False
        ),
        "sum_both": loss_fn(
            logits,
            targets,
            weights,
            average_across_timesteps=False,
            average_across_batch=False,
            sum_over_timesteps=True,
            sum_over_batch=True,
        ),
        "sum_time": loss_fn(
            logits,
            targets,
            weights,
            average_across_timesteps=False,
            average_across_batch=False,
            sum_over_timesteps=True,
        ),
        "sum_batch": loss_fn(
            logits,
            targets,
            weights,
            average_across_timesteps=False,
            average_across_batch=False,
            sum_over_batch=True,
        ),
    }
    return {"feed": feed, "outputs": outputs, "loss": outputs["mean"]}


def legacy_seq2seq_losses(tf):
    logits, targets, weights, feed = _logits_data(tf, 15)
    logits_list = tf.unstack(logits, axis=1)
    targets_list = tf.unstack(targets, axis=1)
    weights_list = tf.unstack(weights, axis=1)
    legacy = tf.contrib.legacy_seq2seq
    by_example = legacy.sequence_loss_by_example(logits_list, targets_list, weights_list)
    by_example_sum = legacy.sequence_loss_by_example(
        logits_list, targets_list, weights_list, average_across_timesteps=False
    )
    loss = legacy.sequence_loss(logits_list, targets_list, weights_list)
    total = legacy.sequence_loss(
        logits_list, targets_list, weights_list, average_across_batch=False
    )
    return {
        "feed": feed,
        "outputs": {
            "by_example": by_example,
            "by_example_sum": by_example_sum,
            "loss": loss,
            "total": total,
        },
        "loss": loss,
    }


CASES = {
    "lstm_block_cell": lstm_block_cell,
    "lstm_block_cell_peephole_clip": lstm_block_cell_peephole_clip,
    "multi_lstm_block_cell": multi_lstm_block_cell,
    "lstm_block_fused_cell": lstm_block_fused_cell,
    "gru_block_cell": gru_block_cell,
    "gru_block_cell_v2": gru_block_cell_v2,
    "layer_norm_basic_lstm": layer_norm_basic_lstm,
    "layer_norm_basic_lstm_dropout": layer_norm_basic_lstm_dropout,
    "layer_norm_off_basic_lstm": layer_norm_off_basic_lstm,
    "static_rnn_lstm": static_rnn_lstm,
    "static_bidirectional_rnn_gru": static_bidirectional_rnn_gru,
    "static_state_saving_rnn_block_cells": static_state_saving_rnn_block_cells,
    "bidirectional_dynamic_rnn_block_cells": bidirectional_dynamic_rnn_block_cells,
    "stack_bidirectional_dynamic_rnn_lstm": stack_bidirectional_dynamic_rnn_lstm,
    "stack_bidirectional_rnn_gru": stack_bidirectional_rnn_gru,
    "seq2seq_sequence_loss": seq2seq_sequence_loss,
    "legacy_seq2seq_losses": legacy_seq2seq_losses,
}
